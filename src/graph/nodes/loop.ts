/**
 * LOOP: iterations over items or while a condition holds, in batch child workflows when long.
 */
import { z } from 'zod';
import { field, spec } from './spec';

/** Hard cap on LOOP iterations, whatever `maxIterations` says. */
export const MAX_LOOP_ITERATIONS = 1_000_000;

/**
 * LOOP: over the array `items` (expression) or while `while` (expression) holds, at most
 * `maxIterations` times, `concurrency` bodies at once. The body starts at the edge leaving
 * through port `body` and ends when it comes back to the LOOP node; port `done` follows.
 * `collect` (expression, evaluated at the end of each iteration) is the iteration's result;
 * by default the output of the body's last node. More than `batchSize` iterations run in batch
 * child workflows of `batchSize` each, so that no run's history grows with the loop.
 */
export const LoopPropertiesSchema = z
  .strictObject({
    items: z.string().min(1).optional(),
    while: z.string().min(1).optional(),
    maxIterations: z.number().int().min(1).max(MAX_LOOP_ITERATIONS).default(10_000),
    concurrency: z.number().int().min(1).max(100).default(1),
    collect: z.string().min(1).optional(),
    // Bounds every run's history: iterations beyond it run in child workflows (see loop-batches.ts).
    batchSize: z.number().int().min(1).max(10_000).default(1_000),
  })
  .superRefine((p, ctx) => {
    if ((p.items === undefined) === (p.while === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'LOOP needs exactly one of "items" or "while"' });
    }
    if (p.while !== undefined && p.concurrency > 1) {
      ctx.addIssue({ code: 'custom', path: ['concurrency'], message: 'a "while" LOOP runs one iteration at a time' });
    }
  });

export type LoopProperties = z.output<typeof LoopPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const loopNodes = {
  LOOP: spec({
    type: 'LOOP',
    propertiesSchema: LoopPropertiesSchema,
    ports: ['body', 'done'],
    sideEffect: false,
    expressionFields: (p) => [...field(p, 'items', 'expression'), ...field(p, 'while', 'expression'), ...field(p, 'collect', 'expression')],
  }),
} as const;
