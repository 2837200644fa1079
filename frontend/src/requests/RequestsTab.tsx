import { useState } from "react";
import { useQuery } from "urql";
import {
  ApproveChangeRequestDocument,
  type ChangeRequestFilter,
  type ChangeRequestKind,
  type ChangeRequestState,
  ChangeRequestsChangedDocument,
  DeclineChangeRequestDocument,
  RequestsTabDocument,
  type RequestsTabQuery,
  WithdrawChangeRequestDocument,
} from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { useCursorPages } from "../graphql/useCursorPages";
import { useFormMutation } from "../graphql/useFormMutation";
import { useCoalesced, useLive } from "../graphql/useLive";
import { useCarrierId } from "../shell/useCarrierId";
import { useViewer } from "../shell/viewer";
import { usePageSize, WANTED } from "../limits/pageSize";
import { Time } from "../time/Time";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";

export const KIND_LABELS: Record<ChangeRequestKind, string> = {
  CREATE_ORGANIZATION: "Create an organization",
  ATTACH_CARRIER: "Add to an organization",
  MOVE_CARRIER: "Move to another organization",
  DETACH_CARRIER: "Detach from the organization",
  SET_CARRIER_ENABLEMENT: "Change a carrier’s enablement",
  SET_ORGANIZATION_ENABLEMENT: "Change an organization’s enablement",
  NEVER_EXPIRING_KEY: "A key that never expires",
};
const STATE_LABELS: Record<ChangeRequestState, string> = {
  OPEN: "Waiting for Support",
  APPROVED: "Approved",
  DECLINED: "Declined",
  EXPIRED: "Expired",
  WITHDRAWN: "Withdrawn",
};

interface Filters {
  state: ChangeRequestState | "";
  kind: ChangeRequestKind | "";
  thisCarrier: boolean;
  olderThanHours: string;
}

/** Requests to Support: staff's queue (filtered, answered here), anyone else's own requests, live. */
export function RequestsTab({ code }: { code: string }) {
  const viewer = useViewer();
  const carrier = useCarrierId(code);
  const staff = viewer.isStaff;
  const [filters, setFilters] = useState<Filters>({ state: staff ? "OPEN" : "", kind: "", thisCarrier: false, olderThanHours: "" });
  const filter: ChangeRequestFilter = {
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.thisCarrier && carrier.id ? { carrierId: carrier.id } : {}),
    ...(filters.olderThanHours && Number(filters.olderThanHours) > 0 ? { olderThanHours: Number(filters.olderThanHours) } : {}),
    ...(staff ? {} : { mine: true }),
  };
  const first = usePageSize(WANTED.requests);
  const pages = useCursorPages<ChangeRequestItem>(JSON.stringify({ filter, first }));
  const [{ data, error, fetching }, refetch] = useQuery({ query: RequestsTabDocument, variables: { filter, first, after: pages.after } });
  // A change (live, or an answer given here) reads the list again from its first page.
  const reload = () => {
    pages.reset();
    refetch({ requestPolicy: "network-only" });
  };
  const readAgain = useCoalesced(reload);
  useLive(ChangeRequestsChangedDocument, {}, readAgain);

  const connection = data?.changeRequests;
  const requests = connection ? pages.combine(connection.nodes) : pages.earlier;
  return (
    <div className="tool">
      <h2>Requests to Support</h2>
      <p>
        {staff
          ? "Changes administrators asked for. Approving makes exactly the proposed change, as if you made it; nobody answers their own request."
          : "Changes you asked Support for, and their answers. Answers appear here as they are given."}
      </p>
      <form className="filters requests-filters" aria-label="Filter requests" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="request-state">State</label>
          <select
            id="request-state"
            value={filters.state}
            onChange={(event) => setFilters({ ...filters, state: event.target.value as Filters["state"] })}
          >
            <option value="">Any</option>
            {(Object.keys(STATE_LABELS) as ChangeRequestState[]).map((state) => (
              <option key={state} value={state}>
                {STATE_LABELS[state]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="request-kind">Kind</label>
          <select
            id="request-kind"
            value={filters.kind}
            onChange={(event) => setFilters({ ...filters, kind: event.target.value as Filters["kind"] })}
          >
            <option value="">Any</option>
            {(Object.keys(KIND_LABELS) as ChangeRequestKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="request-age">Older than (hours)</label>
          <input
            id="request-age"
            type="number"
            min={0}
            inputMode="decimal"
            value={filters.olderThanHours}
            onChange={(event) => setFilters({ ...filters, olderThanHours: event.target.value })}
          />
        </div>
        <div className="field checkbox">
          <input
            id="request-carrier"
            type="checkbox"
            checked={filters.thisCarrier}
            onChange={(event) => setFilters({ ...filters, thisCarrier: event.target.checked })}
          />
          <label htmlFor="request-carrier">Only {code}</label>
        </div>
      </form>
      {error && !data ? <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} /> : null}
      {!data && fetching && !pages.after ? <p role="status">Loading requests…</p> : null}
      {data && requests.length === 0 ? <p role="status">No requests{staff ? " match these filters" : " yet"}.</p> : null}
      <ul className="requests">
        {requests.map((request) => (
          <RequestItem
            key={request.id}
            request={request}
            mayAnswer={staff && request.requestedBy.id !== viewer.id}
            own={request.requestedBy.id === viewer.id}
            onAnswered={reload}
          />
        ))}
      </ul>
      {connection && requests.length > 0 ? (
        <p className="hint" role="status" aria-busy={fetching}>
          {`Showing ${requests.length} of ${connection.totalCount} request${connection.totalCount === 1 ? "" : "s"}.`}
        </p>
      ) : null}
      {connection?.pageInfo.hasNextPage ? (
        <button type="button" onClick={() => pages.loadMore(requests, connection.pageInfo.endCursor)} disabled={fetching}>
          Show more requests
        </button>
      ) : null}
    </div>
  );
}

type ChangeRequestItem = RequestsTabQuery["changeRequests"]["nodes"][number];

function RequestItem({
  request,
  mayAnswer,
  own,
  onAnswered,
}: {
  request: ChangeRequestItem;
  mayAnswer: boolean;
  /** The viewer's own request: they may withdraw it while it is open. */
  own: boolean;
  onAnswered: () => void;
}) {
  const [answer, setAnswer] = useState("");
  const approve = useFormMutation(ApproveChangeRequestDocument, ["answer"]);
  const decline = useFormMutation(DeclineChangeRequestDocument, ["answer"]);
  const withdraw = useFormMutation(WithdrawChangeRequestDocument);
  const onWithdraw = async () => {
    await withdraw.run({ input: { id: request.id } }, (data) => data.withdrawChangeRequest);
    onAnswered();
  };
  const [needsAnswer, setNeedsAnswer] = useState(false);
  const answerId = `answer-${request.id}`;
  const titleId = `request-${request.id}`;
  const open = request.state === "OPEN";
  const onApprove = async () => {
    const done = await approve.run({ input: { id: request.id, answer: answer.trim() || null } }, (data) => data.approveChangeRequest);
    onAnswered();
    if (done) setAnswer("");
  };
  const onDecline = async () => {
    if (!answer.trim()) {
      setNeedsAnswer(true);
      document.getElementById(answerId)?.focus();
      return;
    }
    const done = await decline.run({ input: { id: request.id, answer: answer.trim() } }, (data) => data.declineChangeRequest);
    onAnswered();
    if (done) setAnswer("");
  };
  return (
    <li className="panel request" aria-labelledby={titleId}>
      <h3 id={titleId}>{request.summary}</h3>
      <p>
        <span className={`badge state-${request.state.toLowerCase()}`}>{STATE_LABELS[request.state]}</span>{" "}
        <span className="muted">{KIND_LABELS[request.kind]}</span>
      </p>
      <dl className="facts">
        <dt>Requested by</dt>
        <dd>
          {request.requestedBy.name ?? request.requestedBy.id}, <Time iso={request.requestedAt} />
        </dd>
        <dt>Reason</dt>
        <dd>{request.reason}</dd>
        {open ? (
          <>
            <dt>Expires</dt>
            <dd>
              <Time iso={request.expiresAt} />
            </dd>
          </>
        ) : null}
        {request.decidedAt ? (
          <>
            <dt>{request.state === "EXPIRED" ? "Expired" : "Answered by"}</dt>
            <dd>
              {request.state === "EXPIRED" ? null : `${request.decidedBy?.name ?? "Support"}, `}
              <Time iso={request.decidedAt} />
            </dd>
          </>
        ) : null}
        {request.answer ? (
          <>
            <dt>Answer</dt>
            <dd className="request-answer">{request.answer}</dd>
          </>
        ) : null}
        {request.conflict && open ? (
          <>
            <dt>Could not be approved</dt>
            <dd>{request.conflict}</dd>
          </>
        ) : null}
      </dl>
      {own && open ? (
        <div className="actions">
          {withdraw.formProblem ? <FormProblemAlert problem={withdraw.formProblem} /> : null}
          {withdraw.requestProblem ? <RequestProblemAlert problem={withdraw.requestProblem} /> : null}
          <button type="button" disabled={withdraw.fetching} onClick={onWithdraw}>
            Withdraw<span className="visually-hidden"> {request.summary}</span>
          </button>
        </div>
      ) : null}
      {mayAnswer && open ? (
        <div className="answer">
          <div className="field">
            <label htmlFor={answerId}>Answer for the requester (needed to decline)</label>
            <textarea
              id={answerId}
              rows={2}
              maxLength={500}
              value={answer}
              aria-invalid={needsAnswer && !answer.trim() ? true : undefined}
              aria-describedby={needsAnswer && !answer.trim() ? `${answerId}-error` : undefined}
              onChange={(event) => setAnswer(event.target.value)}
            />
            {needsAnswer && !answer.trim() ? (
              <p id={`${answerId}-error`} className="field-error">
                Say why you decline it.
              </p>
            ) : null}
          </div>
          {approve.formProblem ? <FormProblemAlert problem={approve.formProblem} /> : null}
          {decline.formProblem ? <FormProblemAlert problem={decline.formProblem} /> : null}
          {approve.requestProblem ? <RequestProblemAlert problem={approve.requestProblem} /> : null}
          {decline.requestProblem ? <RequestProblemAlert problem={decline.requestProblem} /> : null}
          <div className="actions">
            <button type="button" className="primary" disabled={approve.fetching || decline.fetching} onClick={onApprove}>
              Approve<span className="visually-hidden"> {request.summary}</span>
            </button>
            <button type="button" disabled={approve.fetching || decline.fetching} onClick={onDecline}>
              Decline<span className="visually-hidden"> {request.summary}</span>
            </button>
          </div>
        </div>
      ) : null}
    </li>
  );
}
