/**
 * SAP_CONNECTOR: SAP S/4HANA OData V2 APIs (the released `API_*_SRV` services under
 * `/sap/opu/odata/sap/`), with basic auth or an OAuth 2.0 client-credentials token.
 *
 * SAP Gateway refuses a write without a CSRF token bound to a session, so every write first
 * fetches one (`GET <service root>` with `x-csrf-token: Fetch`) and sends it back with the
 * session cookies that came with it; a write answered `403` + `x-csrf-token: Required` (the token
 * expired or the session was dropped in between) fetches a new one once and is sent again.
 */
import { z } from 'zod';
import { NodeCallError } from '../node-call-error';
import type { ConnectorDriver, ConnectorOperation } from './driver';
import { connectorError } from './vendor-errors';
import {
  SapConfigSchema,
  SapSecretsSchema,
  SAP_SERVICES,
  fetchCsrf,
  call,
  key,
  literal,
  odataDate,
  decimal,
  entityOf,
  entitiesOf,
  type SapConfig,
  type SapSecrets,
  type SapContext,
} from './sap-odata';

// --- params ----------------------------------------------------------------------------------

const isoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
const quantity = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal')]);
const amount = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal')]);
const code = (max: number) => z.string().min(1).max(max);
/** Further OData properties sent as they are, for fields the typed params do not cover. */
const extraFields = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be an OData property name'), z.unknown()).optional();

const CreatePoParams = z.strictObject({
  companyCode: code(4),
  purchaseOrderType: code(4).default('NB'),
  supplier: code(10),
  purchasingOrganization: code(4),
  purchasingGroup: code(3),
  currency: code(5).optional(),
  items: z
    .array(
      z.strictObject({
        material: code(40),
        plant: code(4),
        quantity,
        unit: code(3),
        netPrice: amount.optional(),
        storageLocation: code(4).optional(),
        /** The schedule line's delivery date. */
        deliveryDate: isoDate.optional(),
        fields: extraFields,
      }),
    )
    .min(1)
    .max(999),
  fields: extraFields,
});
type CreatePoParams = z.output<typeof CreatePoParams>;

const createPO: ConnectorOperation<CreatePoParams> = {
  description: `Creates a purchase order with its items (POST ${SAP_SERVICES.purchaseOrder}/A_PurchaseOrder, deep insert); answers the created A_PurchaseOrder.`,
  params: CreatePoParams,
  writes: true,
  async run(ctx, p) {
    const body = {
      CompanyCode: p.companyCode,
      PurchaseOrderType: p.purchaseOrderType,
      Supplier: p.supplier,
      PurchasingOrganization: p.purchasingOrganization,
      PurchasingGroup: p.purchasingGroup,
      ...(p.currency ? { DocumentCurrency: p.currency } : {}),
      ...p.fields,
      to_PurchaseOrderItem: {
        results: p.items.map((item, i) => ({
          PurchaseOrderItem: String((i + 1) * 10),
          Material: item.material,
          Plant: item.plant,
          OrderQuantity: decimal(item.quantity),
          PurchaseOrderQuantityUnit: item.unit,
          ...(item.netPrice !== undefined ? { NetPriceAmount: decimal(item.netPrice) } : {}),
          ...(item.storageLocation ? { StorageLocation: item.storageLocation } : {}),
          ...(item.deliveryDate
            ? { to_ScheduleLine: { results: [{ ScheduleLineDeliveryDate: odataDate(item.deliveryDate), ScheduleLineOrderQuantity: decimal(item.quantity) }] } }
            : {}),
          ...item.fields,
        })),
      },
    };
    const res = await call(ctx as SapContext, 'POST', SAP_SERVICES.purchaseOrder, 'A_PurchaseOrder', { body });
    const po = entityOf(res, 'SAP createPO');
    if (typeof po.PurchaseOrder !== 'string') throw connectorError('SAP created a purchase order but answered no PurchaseOrder number');
    return po;
  },
};

const GetPoParams = z.strictObject({ purchaseOrder: code(10), includeItems: z.boolean().default(true) });
type GetPoParams = z.output<typeof GetPoParams>;

const getPO: ConnectorOperation<GetPoParams> = {
  description: `Reads a purchase order (GET ${SAP_SERVICES.purchaseOrder}/A_PurchaseOrder('<id>')), with its items unless includeItems is false.`,
  params: GetPoParams,
  writes: false,
  async run(ctx, p) {
    const query: Record<string, string> = p.includeItems ? { $expand: 'to_PurchaseOrderItem' } : {};
    const res = await call(ctx as SapContext, 'GET', SAP_SERVICES.purchaseOrder, `A_PurchaseOrder(${key(p.purchaseOrder)})`, { query });
    return entityOf(res, 'SAP getPO');
  },
};

const GetMaterialParams = z.strictObject({ material: code(40), includeDescriptions: z.boolean().default(false), includePlants: z.boolean().default(false) });
type GetMaterialParams = z.output<typeof GetMaterialParams>;

const getMaterial: ConnectorOperation<GetMaterialParams> = {
  description: `Reads a material master (GET ${SAP_SERVICES.product}/A_Product('<id>')), optionally with its descriptions and plant data.`,
  params: GetMaterialParams,
  writes: false,
  async run(ctx, p) {
    const expand = [...(p.includeDescriptions ? ['to_Description'] : []), ...(p.includePlants ? ['to_Plant'] : [])];
    const res = await call(ctx as SapContext, 'GET', SAP_SERVICES.product, `A_Product(${key(p.material)})`, {
      query: expand.length ? { $expand: expand.join(',') } : {},
    });
    return entityOf(res, 'SAP getMaterial');
  },
};

/**
 * GoodsMovementCode of A_MaterialDocumentHeader: 01 goods receipt for a purchase order, 02 for a
 * production order, 03 goods issue, 04 transfer posting, 05 other goods receipts, 06 reversal,
 * 07 subsequent adjustment.
 */
const GOODS_MOVEMENT_CODES = ['01', '02', '03', '04', '05', '06', '07'] as const;

const UpdateInventoryParams = z.strictObject({
  goodsMovementCode: z.enum(GOODS_MOVEMENT_CODES),
  postingDate: isoDate.optional(),
  documentDate: isoDate.optional(),
  headerText: z.string().max(25).optional(),
  items: z
    .array(
      z.strictObject({
        material: code(40),
        plant: code(4),
        storageLocation: code(4).optional(),
        /** e.g. 101 GR for PO, 201 issue to cost center, 261 issue to order, 311 transfer, 561 initial stock entry. */
        goodsMovementType: z.string().regex(/^\d{3}$/, 'must be a three-digit movement type'),
        quantity,
        unit: code(3),
        batch: code(10).optional(),
        costCenter: code(10).optional(),
        purchaseOrder: code(10).optional(),
        purchaseOrderItem: z
          .string()
          .regex(/^\d{1,5}$/)
          .optional(),
        manufacturingOrder: code(12).optional(),
        fields: extraFields,
      }),
    )
    .min(1),
  fields: extraFields,
});
type UpdateInventoryParams = z.output<typeof UpdateInventoryParams>;

const updateInventory: ConnectorOperation<UpdateInventoryParams> = {
  description: `Posts a goods movement (POST ${SAP_SERVICES.materialDocument}/A_MaterialDocumentHeader with to_MaterialDocumentItem); answers the material document.`,
  params: UpdateInventoryParams,
  writes: true,
  async run(ctx, p) {
    const today = new Date().toISOString().slice(0, 10);
    const body = {
      GoodsMovementCode: p.goodsMovementCode,
      PostingDate: odataDate(p.postingDate ?? today),
      DocumentDate: odataDate(p.documentDate ?? p.postingDate ?? today),
      ...(p.headerText ? { MaterialDocumentHeaderText: p.headerText } : {}),
      ...p.fields,
      to_MaterialDocumentItem: {
        results: p.items.map((item) => ({
          Material: item.material,
          Plant: item.plant,
          ...(item.storageLocation ? { StorageLocation: item.storageLocation } : {}),
          GoodsMovementType: item.goodsMovementType,
          QuantityInEntryUnit: decimal(item.quantity),
          EntryUnit: item.unit,
          ...(item.batch ? { Batch: item.batch } : {}),
          ...(item.costCenter ? { CostCenter: item.costCenter } : {}),
          ...(item.purchaseOrder ? { PurchaseOrder: item.purchaseOrder } : {}),
          ...(item.purchaseOrderItem ? { PurchaseOrderItem: item.purchaseOrderItem } : {}),
          ...(item.manufacturingOrder ? { ManufacturingOrder: item.manufacturingOrder } : {}),
          ...item.fields,
        })),
      },
    };
    const res = await call(ctx as SapContext, 'POST', SAP_SERVICES.materialDocument, 'A_MaterialDocumentHeader', { body });
    const doc = entityOf(res, 'SAP updateInventory');
    if (typeof doc.MaterialDocument !== 'string') throw connectorError('SAP posted a goods movement but answered no MaterialDocument number');
    return doc;
  },
};

const CreateProductionOrderParams = z.strictObject({
  material: code(40),
  plant: code(4),
  /** e.g. PP01 (standard production order) or YBM1 in S/4HANA Cloud. */
  orderType: code(4),
  quantity,
  unit: code(3).optional(),
  plannedStartDate: isoDate.optional(),
  plannedEndDate: isoDate.optional(),
  productionVersion: code(4).optional(),
  fields: extraFields,
});
type CreateProductionOrderParams = z.output<typeof CreateProductionOrderParams>;

const createProductionOrder: ConnectorOperation<CreateProductionOrderParams> = {
  description: `Creates a production order (POST ${SAP_SERVICES.productionOrder}/A_ProductionOrder_2); answers the created order with its ManufacturingOrder number.`,
  params: CreateProductionOrderParams,
  writes: true,
  async run(ctx, p) {
    const body = {
      Material: p.material,
      ProductionPlant: p.plant,
      ManufacturingOrderType: p.orderType,
      TotalQuantity: decimal(p.quantity),
      ...(p.unit ? { ProductionUnit: p.unit } : {}),
      ...(p.plannedStartDate ? { MfgOrderPlannedStartDate: odataDate(p.plannedStartDate) } : {}),
      ...(p.plannedEndDate ? { MfgOrderPlannedEndDate: odataDate(p.plannedEndDate) } : {}),
      ...(p.productionVersion ? { ProductionVersion: p.productionVersion } : {}),
      ...p.fields,
    };
    const res = await call(ctx as SapContext, 'POST', SAP_SERVICES.productionOrder, 'A_ProductionOrder_2', { body });
    const order = entityOf(res, 'SAP createProductionOrder');
    if (typeof order.ManufacturingOrder !== 'string') throw connectorError('SAP created a production order but answered no ManufacturingOrder number');
    return order;
  },
};

const GetCostCenterParams = z.strictObject({
  controllingArea: code(4),
  costCenter: code(10),
  /** The day the cost center must be valid on (cost centers are time-dependent); default today. */
  validOn: isoDate.optional(),
});
type GetCostCenterParams = z.output<typeof GetCostCenterParams>;

const getCostCenter: ConnectorOperation<GetCostCenterParams> = {
  description: `Reads the cost center valid on a day (GET ${SAP_SERVICES.costCenter}/A_CostCenter?$filter=…); HTTP_404 when none is valid then.`,
  params: GetCostCenterParams,
  writes: false,
  async run(ctx, p) {
    // A_CostCenter's key includes ValidityEndDate, so a point read needs the validity interval.
    const day = `datetime'${p.validOn ?? new Date().toISOString().slice(0, 10)}T00:00:00'`;
    const filter = [
      `ControllingArea eq ${literal(p.controllingArea)}`,
      `CostCenter eq ${literal(p.costCenter)}`,
      `ValidityStartDate le ${day}`,
      `ValidityEndDate ge ${day}`,
    ].join(' and ');
    const res = await call(ctx as SapContext, 'GET', SAP_SERVICES.costCenter, 'A_CostCenter', { query: { $filter: filter, $top: '1' } });
    const [found] = entitiesOf(res, 'SAP getCostCenter');
    if (!found) {
      throw new NodeCallError(
        'HTTP_404',
        `SAP has no cost center ${p.costCenter} in controlling area ${p.controllingArea} valid on ${p.validOn ?? 'today'}`,
        false,
        404,
      );
    }
    return found;
  },
};

/** The SAP S/4HANA driver: OData V2 with basic auth or OAuth 2.0, CSRF-protected writes. */
export const sapDriver: ConnectorDriver = {
  type: 'sap',
  configSchema: SapConfigSchema,
  secretsSchema: SapSecretsSchema,
  validate(config, secrets) {
    const c = config as SapConfig;
    const s = secrets as SapSecrets;
    const problems: Array<{ path: string; message: string }> = [];
    if (c.auth === 'basic') {
      if (!c.username) problems.push({ path: '/config/username', message: 'basic auth needs username' });
      if (s.password === undefined) problems.push({ path: '/secrets/password', message: 'basic auth needs password' });
    } else {
      if (!c.tokenUrl) problems.push({ path: '/config/tokenUrl', message: 'oauth2_client_credentials needs tokenUrl' });
      if (!c.clientId) problems.push({ path: '/config/clientId', message: 'oauth2_client_credentials needs clientId' });
      if (!s.clientSecret) problems.push({ path: '/secrets/clientSecret', message: 'oauth2_client_credentials needs clientSecret' });
    }
    return problems;
  },
  operations: { createPO, getPO, getMaterial, updateInventory, createProductionOrder, getCostCenter },
  async testConnection(ctx) {
    const c = ctx as SapContext;
    // A CSRF token fetch is authenticated, touches no data and proves a write would get a token.
    await fetchCsrf(c, SAP_SERVICES.purchaseOrder);
    return {
      message: `authenticated with ${c.config.auth}${c.config.client ? ` in client ${c.config.client}` : ''}; ${SAP_SERVICES.purchaseOrder} issued a CSRF token`,
    };
  },
};
