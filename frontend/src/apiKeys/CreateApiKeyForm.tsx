import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { getFragmentData } from "../gql";
import { type ActorKind, ApiKeyFieldsFragmentDoc, type ApiKeyScope, CreateApiKeyDocument, CreateServiceKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import type { Permission } from "../permissions/permissions";
import { API_KEY_TOOL, CONTACT_SUPPORT_HINT } from "../text/seed";
import { useTimeZone } from "../time/zone";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import { AllowlistEditor, allowlistIsValid } from "./AllowlistEditor";
import { type ExpiryChoice, ExpiryField, defaultExpiry, expiryError, expiryInput, expiryIsValid, restoredExpiry } from "./ExpiryField";
import { allowlistEntryProblem } from "./ipAllowlist";
import { allowlistRule, type KeyPolicy } from "./policy";
import { KeyReview } from "./KeyReview";
import { ScopeAccessField } from "./ScopeAccessField";
import { mayRequestNeverExpiring, NeverExpiringRequest, useRequestNeverExpiring } from "../requests/NeverExpiringRequest";
import { useViewerPermission } from "../shell/viewer";
import { NoScopeAllowed } from "./NoScopeAllowed";

/** Whose key: one carrier's, or a service key of no carrier (staff, for the vendor's other services). */
export type KeyOwner = { kind: "carrier"; id: string; code: string } | { kind: "service" };

interface Props {
  owner: KeyOwner;
  policy: KeyPolicy;
  /** Whether the API would issue the key now (Carrier.permissions' createApiKey, or createServiceKey). */
  permission: Permission;
  grantable: readonly ApiKeyScope[];
  viewerKind: ActorKind;
  /** The key was made: its secret (shown once), and what became of a request that it never expire. */
  onCreated: (secret: string, description: string, ipAllowlist: readonly string[], requestNote?: string) => void;
  onCancel: () => void;
  /** The server refused for a reason the permissions should have said (they changed): reload them. */
  onRefused: () => void;
}

interface Draft {
  description: string;
  ipAllowlist: string[];
  expiry: ExpiryChoice;
  scopes: ApiKeyScope[];
  /** One per draft: a retry after a network failure returns the key made the first time. */
  idempotencyKey: string;
  /** Ask Support to make the key one that never expires (where only staff may issue them), and why.
   * Optional: drafts of an earlier page version have neither. */
  requestNever?: boolean;
  requestReason?: string;
}

const FIELDS = ["description", "ipAllowlist", "expiresAt", "expiresOn", "timeZone", "neverExpires", "scopes"] as const;
// Refusals that mean the page's picture of the carrier (API access, the key limit) is out of date.
const STALE = ["ForbiddenError", "LimitReachedError"];
const newIdempotencyKey = () => crypto.randomUUID();
type Part = "description" | "scopes" | "allowlist" | "expiry" | "requestReason";

/** What is still missing before the key can be reviewed, each with the field that needs it. */
function missingParts(draft: Draft, policy: KeyPolicy, zone: string, requesting: boolean) {
  const missing: { field: Part; text: string }[] = [];
  // in the order the form asks for them
  if (draft.description.trim() === "") missing.push({ field: "description", text: "add a description" });
  if (policy.allowlistRequired && draft.ipAllowlist.length === 0) {
    missing.push({ field: "allowlist", text: "add an IP allowlist (the key policy requires one)" });
  } else if (!allowlistIsValid(draft.ipAllowlist, policy.maxAllowlistEntries)) {
    missing.push({ field: "allowlist", text: "correct the IP allowlist" });
  }
  if (!expiryIsValid(draft.expiry, policy, zone)) missing.push({ field: "expiry", text: "choose a valid expiration day" });
  if (requesting && !draft.requestReason?.trim()) {
    missing.push({ field: "requestReason", text: "say why the key must never expire (Support reads it)" });
  }
  if (policy.allowedScopes.length === 0) {
    missing.push({ field: "scopes", text: "the key policy allows no permissions, so no key can be created" });
  } else if (draft.scopes.length === 0) missing.push({ field: "scopes", text: "give the key access to at least one resource" });
  return missing;
}

/**
 * The seed's steps: a description, then security (allowlist, expiration, permissions); a review of what
 * the key will be able to do, from where, until when; then the secret, once. The buttons stay reachable
 * by keyboard while something is missing: they say what, and pressing them shows it at the field.
 */
export function CreateApiKeyForm({ owner, policy, permission, grantable, viewerKind, onCreated, onCancel, onRefused }: Props) {
  const initial = useMemo<Draft>(
    () => ({ description: "", ipAllowlist: [], expiry: defaultExpiry(policy), scopes: [], idempotencyKey: newIdempotencyKey() }),
    [policy],
  );
  const [stored, update, discard] = useDraft<Draft>(owner.kind === "carrier" ? `createApiKey:${owner.code}` : "createServiceKey", initial);
  const draft = { ...stored, expiry: restoredExpiry(stored.expiry, policy) };
  const carrierKey = useFormMutation(CreateApiKeyDocument, FIELDS);
  const serviceKey = useFormMutation(CreateServiceKeyDocument, FIELDS);
  const { fetching, requestProblem, formProblem } = owner.kind === "carrier" ? carrierKey : serviceKey;
  const [replayed, setReplayed] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [tried, setTried] = useState(false);
  const zone = useTimeZone();
  const id = useId();
  const reviewRef = useRef<HTMLHeadingElement>(null);
  const fields = formProblem?.fields ?? {};
  // "Request a key that never expires": offered where the policy allows such keys from staff alone.
  const mayRequest = useViewerPermission("requestChange").allowed;
  const offerNever = owner.kind === "carrier" && mayRequestNeverExpiring(policy, viewerKind, mayRequest);
  const requesting = offerNever && (draft.requestNever ?? false);
  const requestNeverExpiring = useRequestNeverExpiring();
  const missing = missingParts(draft, policy, zone, requesting);
  const fieldIds = {
    description: `${id}-description`,
    scopes: `${id}-scope-first`,
    expiry: `${id}-expiry-date`,
    requestReason: `${id}-request-reason`,
  };

  // Opening the form puts the keyboard in its first field.
  useEffect(() => {
    focusSoon(() => document.getElementById(`${id}-description`));
  }, [id]);

  useEffect(() => {
    if (formProblem && STALE.includes(formProblem.typename)) onRefused();
  }, [formProblem, onRefused]);

  // A typed error about a field takes the user back to the form, at that field; other problems (the
  // network, a refusal) stay on the review, to try again from there.
  const atField = formProblem !== null && Object.keys(formProblem.fields).length > 0;
  const [seenProblem, setSeenProblem] = useState(formProblem);
  if (formProblem !== seenProblem) {
    setSeenProblem(formProblem);
    if (atField) setReviewing(false);
  }
  useEffect(() => {
    if (atField) focusSoon(() => document.querySelector<HTMLElement>(`#${CSS.escape(`${id}-form`)} [aria-invalid="true"]`));
  }, [atField, formProblem, id]);

  const review = (event: FormEvent) => {
    event.preventDefault();
    if (!permission.allowed) return;
    if (missing.length > 0) {
      setTried(true);
      const first = missing[0]?.field ?? "description";
      focusSoon(() => firstInvalid(first, fieldIds));
      return;
    }
    setReviewing(true);
    focusSoon(() => reviewRef.current);
  };

  const create = async () => {
    if (!permission.allowed || missing.length > 0) return;
    const input = {
      description: draft.description.trim(),
      scopes: draft.scopes,
      ipAllowlist: draft.ipAllowlist.map((entry) => entry.trim()),
      ...expiryInput(draft.expiry, policy, zone),
      idempotencyKey: draft.idempotencyKey,
    };
    const payload =
      owner.kind === "carrier"
        ? await carrierKey.run({ input: { carrierId: owner.id, ...input } }, (data) => data.createApiKey)
        : await serviceKey.run({ input }, (data) => data.createServiceKey);
    if (payload?.__typename !== "CreateApiKeyPayload") return;
    if (!payload.secret) {
      // A retry of a request that had already issued the key: its secret went to the lost answer.
      setReplayed(true);
      return;
    }
    discard();
    const created = getFragmentData(ApiKeyFieldsFragmentDoc, payload.apiKey);
    // The key exists, with the expiry chosen; Support is then asked to let it never expire.
    if (!requesting) return onCreated(payload.secret, created.description, created.ipAllowlist);
    const note = await requestNeverExpiring(created, (draft.requestReason ?? "").trim());
    onCreated(payload.secret, created.description, created.ipAllowlist, note);
  };

  const blockedReason = permission.allowed ? null : withSupport(permission.reason ?? "You may not do this.");
  const title = owner.kind === "carrier" ? API_KEY_TOOL.createTitle : "Create a service key";
  const problems = (
    <>
      {formProblem ? <FormProblemAlert problem={formProblem} /> : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      {replayed ? (
        <div role="alert" className="notice notice-warning">
          <p>
            This key was already created by your earlier attempt, whose answer (with the secret) was lost. Revoke it in the
            list and create a new one.
          </p>
          <button
            type="button"
            onClick={() => {
              setReplayed(false);
              update({ idempotencyKey: newIdempotencyKey() });
            }}
          >
            Start a new key with these settings
          </button>
        </div>
      ) : null}
    </>
  );

  if (reviewing) {
    return (
      <section className="panel create-key" aria-labelledby={`${id}-review`}>
        <h3 id={`${id}-review`} ref={reviewRef} tabIndex={-1}>
          {owner.kind === "carrier" ? "Review the new API key" : "Review the new service key"}
        </h3>
        <KeyReview
          policy={policy}
          description={draft.description.trim()}
          scopes={draft.scopes}
          ipAllowlist={draft.ipAllowlist.map((entry) => entry.trim())}
          expiry={draft.expiry}
          zone={zone}
          owner={owner.kind === "carrier" ? owner.code : null}
        />
        {requesting ? (
          <p className="notice">
            You also ask Support to make this key never expire (“{(draft.requestReason ?? "").trim()}”). Until they approve, it
            expires as above.
          </p>
        ) : null}
        {problems}
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={fetching}
            onClick={create}
            aria-disabled={blockedReason ? true : undefined}
            aria-describedby={blockedReason ? `${id}-blocked` : undefined}
          >
            {fetching ? "Creating…" : owner.kind === "carrier" ? "Create API key" : "Create service key"}
          </button>
          <button
            type="button"
            onClick={() => {
              setReviewing(false);
              focusSoon(() => document.getElementById(`${id}-description`));
            }}
          >
            Back to edit
          </button>
        </div>
        {blockedReason ? (
          <p id={`${id}-blocked`} className="hint">
            {blockedReason}
          </p>
        ) : null}
      </section>
    );
  }

  const missingId = `${id}-missing`;
  const blocked = !permission.allowed || missing.length > 0;
  return (
    <form id={`${id}-form`} onSubmit={review} className="panel create-key" aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>{title}</h3>
      <ol className="steps">
        <li>
          <h4>{API_KEY_TOOL.descriptionStep.title}</h4>
          <div className="field">
            <label htmlFor={`${id}-description`}>Description</label>
            <input
              id={`${id}-description`}
              value={draft.description}
              maxLength={policy.maxDescriptionLength}
              required
              aria-invalid={fields.description || (tried && !draft.description.trim()) ? true : undefined}
              aria-describedby={`${id}-description-help ${id}-description-error`}
              onChange={(event) => update({ description: event.target.value })}
            />
            <div id={`${id}-description-help`} className="hint">
              {owner.kind === "carrier" ? (
                <>
                  {API_KEY_TOOL.descriptionStep.help} {API_KEY_TOOL.descriptionStep.goodExamplesTitle}{" "}
                  {API_KEY_TOOL.descriptionStep.goodExamples.map((example) => `“${example}”`).join(", ")}
                </>
              ) : (
                "Which service uses it, e.g. “Billing: nightly enablement sync”."
              )}
            </div>
            <FieldMessage
              id={`${id}-description-error`}
              message={fields.description ?? (tried && !draft.description.trim() ? "Add a description so anyone can tell what this key is for." : null)}
            />
          </div>
        </li>
        <li>
          <h4>{API_KEY_TOOL.securityStep.title}</h4>
          <p className="hint">{API_KEY_TOOL.securityStep.help}</p>
          <AllowlistEditor
            entries={draft.ipAllowlist}
            onChange={(ipAllowlist) => update({ ipAllowlist })}
            serverErrors={fields}
            maxEntries={policy.maxAllowlistEntries}
            showEmpty={tried}
            required={allowlistRule(policy)}
          />
          <ExpiryField
            policy={policy}
            viewerKind={viewerKind}
            value={draft.expiry}
            onChange={(expiry) => update({ expiry })}
            error={expiryError(fields)}
            modes={["days", "date", "never"]}
            dateInputId={fieldIds.expiry}
          />
          {offerNever ? (
            <NeverExpiringRequest
              checked={requesting}
              reason={draft.requestReason ?? ""}
              onChange={update}
              reasonId={fieldIds.requestReason}
              reasonError={tried && requesting && !draft.requestReason?.trim() ? "Say why the key must never expire: Support reads it." : null}
            />
          ) : null}
          {policy.allowedScopes.length === 0 && owner.kind === "carrier" ? <NoScopeAllowed policy={policy} code={owner.code} /> : null}
          <ScopeAccessField
            policy={policy}
            grantable={grantable}
            value={draft.scopes}
            onChange={(scopes) => update({ scopes })}
            error={fields.scopes ?? (tried && draft.scopes.length === 0 ? "Choose what the key may reach: at least one resource." : undefined)}
            firstInputId={fieldIds.scopes}
          />
        </li>
      </ol>
      {problems}
      <div className="actions">
        <button type="submit" className="primary" aria-disabled={blocked ? true : undefined} aria-describedby={missingId}>
          Review the key
        </button>
        <button
          type="button"
          onClick={() => {
            discard();
            onCancel();
          }}
        >
          Cancel
        </button>
      </div>
      <p id={missingId} className="hint">
        {blockedReason ?? (missing.length > 0 ? `Before reviewing the key: ${missing.map((part) => part.text).join("; ")}.` : "")}
      </p>
    </form>
  );
}

function withSupport(reason: string): string {
  return /support/i.test(reason) ? reason : `${reason} ${CONTACT_SUPPORT_HINT}`;
}

/** The field to fix first: an invalid allowlist entry rather than the list as a whole. */
function firstInvalid(field: Part, ids: Record<string, string>): HTMLElement | null {
  if (field === "allowlist") {
    const entries = [...document.querySelectorAll<HTMLInputElement>(".allowlist-entry input")];
    return entries.find((entry) => allowlistEntryProblem(entry.value) !== null) ?? null;
  }
  return document.getElementById(ids[field] ?? "");
}
