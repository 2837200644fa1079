import { render } from "@testing-library/react";
import { type Client, Provider } from "urql";
import { describe, expect, it, vi } from "vitest";
import { useApprovedRequests } from "./useApprovedRequests";

/** A client whose one subscription sends these events, in order, as soon as it is opened. */
function sending(...states: string[]): Client {
  const subscription = () => ({
    subscribe: (listener: (result: { data: unknown }) => void) => {
      for (const state of states) listener({ data: { changeRequestsChanged: { __typename: "ChangeRequest", id: "r1", state } } });
      return { unsubscribe: () => undefined };
    },
  });
  return { subscription } as unknown as Client;
}

function Watching({ readAgain }: { readAgain: () => void }) {
  useApprovedRequests(readAgain);
  return null;
}

describe("useApprovedRequests", () => {
  it("reads the tab again when a request is approved, and not for a request made, declined or expired", () => {
    const readAgain = vi.fn();
    render(
      <Provider value={sending("OPEN", "DECLINED", "EXPIRED", "APPROVED")}>
        <Watching readAgain={readAgain} />
      </Provider>,
    );
    expect(readAgain).toHaveBeenCalledTimes(1);
  });

  it("does not read again when nothing was approved", () => {
    const readAgain = vi.fn();
    render(
      <Provider value={sending("OPEN", "WITHDRAWN")}>
        <Watching readAgain={readAgain} />
      </Provider>,
    );
    expect(readAgain).not.toHaveBeenCalled();
  });
});
