// Scopes as the consoles users know show them (GitHub, Stripe): per resource, no access, read, or read
// and write. The resources and levels are the API's (apiKeyPolicy.scopes' resource and access).
import type { ApiKeyScope, ScopeAccess } from "../gql/graphql";
import type { KeyPolicy } from "./policy";

export type Level = "NONE" | ScopeAccess;

export interface Resource {
  name: string;
  /** The scope of each level the resource has (most resources can only be read). */
  scopes: Partial<Record<ScopeAccess, KeyPolicy["scopes"][number]>>;
}

export const LEVEL_LABELS: Record<Level, string> = { NONE: "No access", READ: "Read", WRITE: "Read and write" };

/** The policy's scopes grouped by resource, in the policy's order. */
export function resourcesOf(policy: Pick<KeyPolicy, "scopes">): Resource[] {
  const byName = new Map<string, Resource>();
  for (const scope of policy.scopes) {
    const resource = byName.get(scope.resource) ?? { name: scope.resource, scopes: {} };
    resource.scopes[scope.access] = scope;
    byName.set(scope.resource, resource);
  }
  return [...byName.values()];
}

/** The level the chosen scopes give a resource. */
export function levelOf(resource: Resource, chosen: readonly ApiKeyScope[]): Level {
  if (resource.scopes.WRITE && chosen.includes(resource.scopes.WRITE.scope)) return "WRITE";
  if (resource.scopes.READ && chosen.includes(resource.scopes.READ.scope)) return "READ";
  return "NONE";
}

/** The scopes after giving `resource` this level (its other levels' scopes taken away). */
export function withLevel(resource: Resource, level: Level, chosen: readonly ApiKeyScope[]): ApiKeyScope[] {
  const own = Object.values(resource.scopes).map((scope) => scope.scope);
  const others = chosen.filter((scope) => !own.includes(scope));
  const scope = level === "NONE" ? undefined : resource.scopes[level]?.scope;
  return scope ? [...others, scope] : others;
}

/** "Read and write API keys, read Activity log": what the chosen scopes let a key do, in words. */
export function describeAccess(resources: readonly Resource[], chosen: readonly ApiKeyScope[]): string[] {
  return resources.flatMap((resource) => {
    const level = levelOf(resource, chosen);
    return level === "NONE" ? [] : [`${LEVEL_LABELS[level]}: ${resource.name}`];
  });
}
