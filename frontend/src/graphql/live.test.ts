// The live connection as the page uses it: the real urql client and graphql-ws, over a WebSocket this
// test plays the server's side of (the browser suite does it against the real server).
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OperationResult } from "urql";
import { ApiKeyChangesDocument } from "../gql/graphql";
import { createApiClient, documentHash } from "./client";
import { createLiveConnection, type LiveConnection, liveUrl } from "./live";

type Message = { type: string; id?: string; payload?: Record<string, unknown> };

class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static made: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: Message[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Message);
  }
  close(code = 1000, reason = "") {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.closedWith = code;
    this.serverCloses(code, reason);
  }
  // the server's side
  accept() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  receive(message: Message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  serverCloses(code: number, reason = "") {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: code !== 1006 });
  }
  subscribeMessage(): Message {
    const found = this.sent.find((message) => message.type === "subscribe");
    if (!found) throw new Error("no subscribe message yet");
    return found;
  }
}

const connections: LiveConnection[] = [];

function setUp(token = "session-token") {
  const expired = vi.fn();
  const live = createLiveConnection({
    url: "ws://tools.test/graphql",
    token: () => token,
    onUnauthenticated: expired,
    retryWait: () => Promise.resolve(),
    webSocketImpl: FakeSocket,
  });
  connections.push(live);
  const client = createApiClient({ token: () => token, onUnauthenticated: expired, live });
  const results: OperationResult[] = [];
  const watching = client.subscription(ApiKeyChangesDocument, { carrierId: "Q2Fycmllcjox" }).subscribe((result) => results.push(result));
  return { live, expired, results, watching };
}

/** The server accepts the `index`th socket the page opens and acknowledges its connection_init. */
async function connected(index = 0): Promise<FakeSocket> {
  await vi.waitFor(() => expect(FakeSocket.made.length).toBeGreaterThan(index));
  const socket = FakeSocket.made[index] as FakeSocket;
  socket.accept();
  await vi.waitFor(() => expect(socket.sent[0]?.type).toBe("connection_init"));
  socket.receive({ type: "connection_ack" });
  await vi.waitFor(() => expect(socket.sent.some((message) => message.type === "subscribe")).toBe(true));
  return socket;
}

afterEach(() => {
  for (const live of connections.splice(0)) live.dispose();
  FakeSocket.made = [];
});

describe("the live connection", () => {
  it("authenticates with the session's bearer token and names the subscription by its trusted-document id only", async () => {
    const { live, results } = setUp("tok-123");
    expect(live.state()).toBe("idle"); // the persisted exchange hashes first
    await vi.waitFor(() => expect(live.state()).toBe("connecting"));
    const socket = await connected();

    expect(socket.url).toBe("ws://tools.test/graphql");
    expect(socket.protocol).toBe("graphql-transport-ws");
    expect(socket.sent[0]).toEqual({ type: "connection_init", payload: { Authorization: "Bearer tok-123" } });
    const { payload } = socket.subscribeMessage();
    expect(payload).toEqual({
      documentId: `sha256:${documentHash(ApiKeyChangesDocument)}`,
      operationName: "ApiKeyChanges",
      variables: { carrierId: "Q2Fycmllcjox" },
    });
    expect(payload).not.toHaveProperty("query");
    expect(live.state()).toBe("live");

    const id = socket.subscribeMessage().id;
    const event = { apiKeyChanges: { __typename: "ApiKeyChange", action: "REVOKED", apiKey: { id: "k1" } } };
    socket.receive({ type: "next", id, payload: { data: event } });
    await vi.waitFor(() => expect(results.at(-1)?.data).toEqual(event));
  });

  it("says it is reconnecting when the socket drops, then subscribes again on a new one", async () => {
    const { live } = setUp();
    const first = await connected();
    first.serverCloses(1006);
    expect(live.state()).toBe("reconnecting");

    const second = await connected(1);
    expect(second).not.toBe(first);
    expect(second.subscribeMessage().payload).toHaveProperty("documentId");
    expect(live.state()).toBe("live");
  });

  it.each([4401, 4403])("after close %i it does not retry: the session ends the page's usual way", async (code) => {
    const { live, expired, results } = setUp();
    const socket = await connected();
    socket.serverCloses(code, "Your session has expired.");

    expect(expired).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(results.at(-1)?.error).toBeDefined());
    expect(live.state()).toBe("stopped");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(FakeSocket.made).toHaveLength(1);
  });

  it("says it is not live when the server refuses the subscription", async () => {
    const { live, results } = setUp();
    const socket = await connected();
    const refusal = [{ message: "No trusted document", extensions: { code: "PERSISTED_DOCUMENT_NOT_FOUND" } }];
    socket.receive({ type: "error", id: socket.subscribeMessage().id, payload: refusal as unknown as Record<string, unknown> });

    await vi.waitFor(() => expect(results.at(-1)?.error?.graphQLErrors[0]?.extensions.code).toBe("PERSISTED_DOCUMENT_NOT_FOUND"));
    expect(live.state()).toBe("stopped");
  });

  it("is idle once nothing is watched, and disposing closes the socket", async () => {
    const { live, watching } = setUp();
    const socket = await connected();
    watching.unsubscribe();
    await vi.waitFor(() => expect(socket.sent.at(-1)?.type).toBe("complete"));
    expect(live.state()).toBe("idle");
    live.dispose();
    await vi.waitFor(() => expect(socket.closedWith).toBe(1000));
  });

  it("speaks ws: to an http page and wss: to an https one, on the page's own host", () => {
    expect(liveUrl({ protocol: "http:", host: "127.0.0.1:8080" })).toBe("ws://127.0.0.1:8080/graphql");
    expect(liveUrl({ protocol: "https:", host: "tools.example" })).toBe("wss://tools.example/graphql");
  });
});
