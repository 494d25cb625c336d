/** OpenAPI schemas of an agency's tariff, as fee's routes and dispatch's routes for it take and answer it. */
const TARIFF_VIEW = {
  type: 'object',
  required: ['agencyId', 'version', 'effectiveFrom', 'createdAt', 'tariff'],
  properties: {
    agencyId: { type: 'string', format: 'uuid' },
    version: { type: 'integer', minimum: 1 },
    effectiveFrom: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    tariff: { type: 'object', description: 'The tariff: base fee and distance, steps or bands, limits, surcharges, commission (docs/fees.md)' },
  },
};

export const TARIFF_SCHEMAS = {
  TariffView: TARIFF_VIEW,
  CurrentTariffView: { ...TARIFF_VIEW, properties: { ...TARIFF_VIEW.properties, scheduled: { type: 'array', items: { $ref: '#/components/schemas/TariffView' } } } },
  ReplaceTariffRequest: {
    type: 'object',
    required: ['tariff'],
    additionalProperties: false,
    properties: {
      tariff: { type: 'object', description: 'The whole tariff (docs/fees.md); every problem is answered as TARIFF_INVALID with the field it is in' },
      effectiveFrom: { type: 'string', format: 'date-time', description: 'When it takes effect (not in the past); default now' },
    },
  },
  WeatherRequest: {
    type: 'object',
    required: ['mode', 'amount', 'until'],
    additionalProperties: false,
    properties: {
      mode: { type: 'string', enum: ['rain', 'snow'] },
      amount: { type: 'integer', minimum: 0, description: 'KRW added per delivery' },
      until: { type: 'string', format: 'date-time', description: 'When the surcharge ends (in the future)' },
    },
  },
};
