import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { WeftDb } from '../../db/client';
import { recordQualityResult } from '../../db/repositories/quality';
import { SpecificationSchema, type NodeActivityRequest } from '../../graph/node-types';
import { describeFailures, evaluateQuality, type QualityVerdict } from '../../domain/quality-rules';
import { nodeFailure } from '../node-failure';
import type { NodeActivityResult } from '../types';
import { asNodeFailure, parseRendered } from './failures';

const RenderedQualityCheck = z.strictObject({
  specification: SpecificationSchema,
  measurements: z.record(z.string(), z.unknown()),
});

/**
 * The QUALITY_CHECK node: checks the measurements against the specification, records the
 * verdict in `quality_results` (once per node run), and outputs it. A failing verdict is recorded
 * and then fails the node with QUALITY_CHECK_FAILED (not retried: measuring again is the
 * workflow's decision), naming the failing characteristics.
 */
export function createQualityCheckActivity(db: WeftDb) {
  return async function qualityCheck(request: NodeActivityRequest): Promise<NodeActivityResult<QualityVerdict>> {
    const props = parseRendered(RenderedQualityCheck, request.properties, 'QUALITY_CHECK');
    let verdict: QualityVerdict;
    try {
      verdict = evaluateQuality(props.specification, props.measurements);
    } catch (err) {
      throw asNodeFailure(err);
    }
    await recordQualityResult(db, {
      idempotencyKey: request.idempotencyKey,
      executionId: request.executionId,
      nodeId: request.nodeId,
      iteration: request.iteration,
      result: verdict.result,
      details: { characteristics: verdict.characteristics },
    });
    if (verdict.result === 'fail') {
      throw nodeFailure('QUALITY_CHECK_FAILED', `quality check failed: ${describeFailures(verdict)}`, { retryable: false });
    }
    return { output: verdict, attempt: Context.current().info.attempt };
  };
}
