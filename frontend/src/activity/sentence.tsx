// Each activity event as a sentence that names its target: "Sam Staff revoked the API key “ERP sync”
// (cak_live_…Xy12)". The target's name is the API's (ActivityEvent.targetName, as recorded); details
// come from the event's before and after, in the API's terms.
import type { ReactNode } from "react";
import { Time } from "../time/Time";
import type { ActivityEvent } from "./ActivityList";
import { changesOf } from "./changes";
import { FIELD_WORDS } from "./words";

type Fields = Record<string, unknown>;
const fieldsOf = (value: unknown): Fields => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : {});
const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

const STATE_WORDS: Record<string, string> = { ENABLED: "on", DISABLED: "off", INHERIT: "inherit" };

/** Who did it, as a person reads it: the system's own jobs are the system, not staff. */
export function Actor({ event }: { event: ActivityEvent }) {
  const { actor } = event;
  if (actor.kind === "SYSTEM") {
    return (
      <strong>
        The system <span className="badge">automatic</span>
      </strong>
    );
  }
  const name = actor.name ?? actor.id ?? "Someone";
  return (
    <strong>
      {actor.kind === "API_KEY" ? `The API key “${name}”` : actor.kind === "ANONYMOUS" ? "Someone not signed in" : name}
      {event.actorIsStaff ? <span className="badge"> staff</span> : null}
    </strong>
  );
}

function Target({ name, fallback }: { name: string | null | undefined; fallback: string }) {
  return <span className="target">{name ?? fallback}</span>;
}

/** What happened, after the actor's name. */
export function whatHappened(event: ActivityEvent): ReactNode {
  const before = fieldsOf(event.before);
  const after = fieldsOf(event.after);
  const target = event.targetName;
  const key = <Target name={target ? `“${target}”` : null} fallback="a key" />;
  switch (event.action) {
    case "apiKey.create":
      return <>created the API key {key}</>;
    case "apiKey.update": {
      const fields = changesOf(event.before, event.after).map((change) => FIELD_WORDS[change.field] ?? change.field);
      return (
        <>
          changed the API key {key}
          {fields.length ? `: its ${joinWords(fields)}` : ""}
        </>
      );
    }
    case "apiKey.rotate": {
      const oldEnd = text(after.previousKeyRevokedAt);
      return (
        <>
          rotated the API key {key}, replacing <code>{text(before.hint) ?? "the old key"}</code>
          {oldEnd && Date.parse(oldEnd) > Date.parse(event.occurredAt) ? (
            <>
              , which keeps working until <Time iso={oldEnd} />
            </>
          ) : (
            ", which stopped at once"
          )}
        </>
      );
    }
    case "apiKey.revoke": {
      const graceEnd = text(before.revokedAt);
      if (graceEnd && Date.parse(graceEnd) > Date.parse(event.occurredAt)) {
        return (
          <>
            ended the grace period of the rotated API key {key} early: it would have worked until <Time iso={graceEnd} />
          </>
        );
      }
      return <>revoked the API key {key}</>;
    }
    case "apiKey.expiring": {
      const end = text(after.expiresAt);
      return <>noticed that the API key {key} expires soon{end ? <>, on <Time iso={end} /></> : null}</>;
    }
    case "apiKey.expired":
      return <>noticed that the API key {key} has expired</>;
    case "carrier.create":
      return <>created the carrier <Target name={target} fallback="a carrier" /></>;
    case "carrier.update":
      return (
        <>
          renamed the carrier <Target name={target} fallback="a carrier" />
          {text(before.name) && text(before.name) !== text(after.name) ? ` (it was ${text(before.name)})` : ""}
        </>
      );
    case "carrier.attach":
      return (
        <>
          added <Target name={target} fallback="a carrier" /> to{" "}
          <Target name={text(after.organizationName)} fallback="an organization" />
        </>
      );
    case "carrier.move":
      return (
        <>
          moved <Target name={target} fallback="a carrier" /> from <Target name={text(before.organizationName)} fallback="its organization" /> to{" "}
          <Target name={text(after.organizationName)} fallback="another organization" />
        </>
      );
    case "carrier.detach":
      return (
        <>
          took <Target name={target} fallback="a carrier" /> out of <Target name={text(before.organizationName)} fallback="its organization" />
        </>
      );
    case "organization.create":
      return <>created the organization <Target name={target} fallback="an organization" /></>;
    case "organization.rename":
      return (
        <>
          renamed the organization <Target name={text(before.name)} fallback="an organization" /> to{" "}
          <Target name={text(after.name) ?? target} fallback="a new name" />
        </>
      );
    case "organization.delete":
      return <>deleted the organization <Target name={target} fallback="an organization" /></>;
    case "enablement.setForCarrier":
    case "enablement.setForOrganization": {
      const feature = text(after.featureName) ?? text(after.feature) ?? "a feature";
      const state = STATE_WORDS[String(after.state)] ?? String(after.state ?? "");
      const owner = event.action === "enablement.setForOrganization" ? "the organization " : "";
      return (
        <>
          set <Target name={feature} fallback="a feature" /> to {state} for {owner}
          <Target name={target} fallback={owner ? "its organization" : "the carrier"} />
          {text(before.state) ? ` (it was ${STATE_WORDS[String(before.state)] ?? before.state})` : ""}
        </>
      );
    }
    case "keyPolicy.setForOrganization":
    case "keyPolicy.setForCarrier": {
      const owner = event.action === "keyPolicy.setForOrganization" ? "the organization " : "";
      const changed = policyChanges(before, after);
      return (
        <>
          set the key policy of {owner}
          <Target name={target} fallback={owner ? "an organization" : "the carrier"} />
          {changed ? `: ${changed}` : ""}
        </>
      );
    }
    case "feature.create":
      return <>added the feature <Target name={target} fallback="a feature" /> to the catalogue</>;
    case "feature.update":
      return <>changed the catalogue’s feature <Target name={target} fallback="a feature" /></>;
    default:
      if (event.outcome === "REFUSED") return <>tried a restricted function ({refusedFields(after) ?? event.action}) and was refused</>;
      return (
        <>
          did <code>{event.action}</code>
          {target ? (
            <>
              {" "}
              to <Target name={target} fallback="" />
            </>
          ) : null}
        </>
      );
  }
}

// A key policy level's rules in words, as the activity log records them (null: left to the levels above).
const POLICY_RULES: Record<string, (value: unknown) => string> = {
  maxLifetimeDays: (value) => `longest lifetime ${value === null ? "as above" : `${String(value)} days`}`,
  allowlistRequired: (value) => `IP allowlist ${value === null ? "as above" : value ? "required" : "not required"}`,
  allowedScopes: (value) => `scopes ${Array.isArray(value) ? value.join(", ") : "as above"}`,
  maxGracePeriodSeconds: (value) => `longest grace period ${value === null ? "as above" : `${String(value)} s`}`,
  nonExpiringAllowed: (value) => `keys that never expire ${value === null ? "as above" : value ? "allowed" : "not allowed"}`,
};

/** "longest lifetime 60 days, IP allowlist required": the rules a policy change changed. */
function policyChanges(before: Fields, after: Fields): string | null {
  const changed = Object.entries(POLICY_RULES)
    .filter(([rule]) => JSON.stringify(before[rule] ?? null) !== JSON.stringify(after[rule] ?? null))
    .map(([rule, words]) => words(after[rule] ?? null));
  return changed.length ? changed.join(", ") : null;
}

function refusedFields(after: Fields): string | null {
  const fields = Array.isArray(after.refusedFields) ? after.refusedFields : [];
  const names = fields.map((entry) => text(fieldsOf(entry).field)).filter((name): name is string => name !== null);
  return names.length ? names.join(", ") : null;
}

function joinWords(words: string[]): string {
  const unique = [...new Set(words)];
  return unique.length > 1 ? `${unique.slice(0, -1).join(", ")} and ${unique.at(-1)}` : (unique[0] ?? "");
}
