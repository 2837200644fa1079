import type { LiveState } from "../graphql/live";
import { useLiveState } from "../graphql/useLive";

const WORDS: Record<LiveState, string> = {
  idle: "",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  stopped: "Not live: reload to see others’ changes",
};

const TITLES: Partial<Record<LiveState, string>> = {
  live: "This tab updates as others change it.",
  reconnecting: "The live connection dropped; trying again. The tab shows what it last read.",
  stopped: "Live updates stopped. The page still works; reload it to see changes made elsewhere.",
};

/** Whether the open tab updates live: a status (announced politely), empty while no tab watches anything. */
export function LiveIndicator() {
  const shown = useLiveState();
  return (
    <p role="status" className={`live live-${shown}`} title={TITLES[shown]}>
      {WORDS[shown]}
    </p>
  );
}
