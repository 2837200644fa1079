import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LiveConnection, LiveState } from "../graphql/live";
import { LiveContext } from "../graphql/useLive";
import { LiveIndicator } from "./LiveIndicator";

function store(initial: LiveState) {
  let state = initial;
  const listeners = new Set<() => void>();
  const live = {
    state: () => state,
    onState: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as LiveConnection;
  const set = (next: LiveState) => {
    state = next;
    for (const listener of listeners) listener();
  };
  return { live, set };
}

describe("LiveIndicator", () => {
  it("is a status that says whether the tab is live, and follows the connection", () => {
    const { live, set } = store("idle");
    render(
      <LiveContext.Provider value={live}>
        <LiveIndicator />
      </LiveContext.Provider>,
    );
    const status = screen.getByRole("status");
    expect(status.textContent).toBe("");
    for (const [state, words] of [
      ["connecting", "Connecting…"],
      ["live", "Live"],
      ["reconnecting", "Reconnecting…"],
      ["stopped", "Not live: reload to see others’ changes"],
    ] as const) {
      act(() => set(state));
      expect(screen.getByRole("status").textContent).toBe(words);
    }
  });
});
