import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useDraft } from "./useDraft";

describe("useDraft", () => {
  it("keeps a form's contents across a remount (a new sign-in) until discarded", () => {
    const first = renderHook(() => useDraft("form:X", { text: "" }));
    act(() => first.result.current[1]({ text: "typed" }));
    first.unmount();
    const second = renderHook(() => useDraft("form:X", { text: "" }));
    expect(second.result.current[0]).toEqual({ text: "typed" });
    act(() => second.result.current[2]());
    expect(sessionStorage.getItem("tools.draft.form:X")).toBeNull();
  });
});
