/** A resource a restricted data token (RDT) unlocks, as requested in createRestrictedDataToken. */
export interface RestrictedResource {
  method: string;
  path: string;
  dataElements?: string[];
}

/** The Orders v0 operations that return personal data, i.e. what an RDT can be asked for. */
const RESTRICTED_TEMPLATES = [
  /^\/orders\/v0\/orders$/,
  /^\/orders\/v0\/orders\/[^/]+$/,
  /^\/orders\/v0\/orders\/[^/]+\/address$/,
  /^\/orders\/v0\/orders\/[^/]+\/buyerInfo$/,
  /^\/orders\/v0\/orders\/[^/]+\/orderItems$/,
  /^\/orders\/v0\/orders\/[^/]+\/orderItems\/buyerInfo$/,
];

export const DATA_ELEMENTS = ['buyerInfo', 'shippingAddress', 'buyerTaxInformation'] as const;

export function isRestrictedPath(path: string): boolean {
  return RESTRICTED_TEMPLATES.some((re) => re.test(path));
}

function toRegex(path: string): RegExp {
  const escaped = path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}$`);
}

/** The resource of the token that covers this call (a {param} in the token's path matches any one segment). */
export function findCoveringResource(resources: RestrictedResource[], method: string, path: string): RestrictedResource | undefined {
  return resources.find((r) => r.method.toUpperCase() === method.toUpperCase() && toRegex(r.path).test(path));
}
