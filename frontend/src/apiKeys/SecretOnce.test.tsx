import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SecretOnce } from "./SecretOnce";

describe("SecretOnce", () => {
  it("copies the secret and closes only after the user confirms storing it", async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, "writeText").mockResolvedValue();
    const onDone = vi.fn();
    render(<SecretOnce secret="cak_test_abc" description="ERP" ipAllowlist={[]} onDone={onDone} />);
    expect(screen.getByRole("textbox", { name: "API key for “ERP”" })).toHaveProperty("value", "cak_test_abc");
    await user.click(screen.getByRole("button", { name: "Copy key" }));
    expect(writeText).toHaveBeenCalledWith("cak_test_abc");
    expect(screen.getByText("Copied to the clipboard.")).toBeTruthy();
    const done = screen.getByRole("button", { name: "Done" });
    expect(done).toHaveProperty("disabled", true);
    expect(screen.queryByRole("button", { name: /^Close/ })).toBeNull();
    await user.click(screen.getByRole("checkbox", { name: "I have copied the key and stored it safely" }));
    await user.click(done);
    expect(onDone).toHaveBeenCalled();
    expect(screen.queryByText(/only works from its allowed addresses/)).toBeNull();
  });

  it("warns that the command to try the key only works from its allowed addresses", () => {
    render(<SecretOnce secret="cak_test_abc" description="ERP" ipAllowlist={["203.0.113.0/24"]} onDone={vi.fn()} />);
    expect(screen.getByRole("note").textContent).toContain("only works from its allowed addresses (203.0.113.0/24)");
  });
});
