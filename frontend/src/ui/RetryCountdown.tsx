import { useEffect, useState } from "react";
import { formatDateTime } from "../time/format";
import { useTimeZone } from "../time/zone";

/** "Try again in 42 seconds", counting down; then says the user may retry. */
export function RetryCountdown({ seconds }: { seconds: number }) {
  const [left, setLeft] = useState(seconds);
  const zone = useTimeZone();
  const [until] = useState(() => new Date(Date.now() + seconds * 1000).toISOString());
  useEffect(() => {
    if (left <= 0) return;
    const timer = window.setTimeout(() => setLeft((value) => value - 1), 1000);
    return () => window.clearTimeout(timer);
  }, [left]);
  if (left <= 0) return <span>You can try again now.</span>;
  return (
    <span>
      Try again in {left} second{left === 1 ? "" : "s"} (at {formatDateTime(until, zone)}).
    </span>
  );
}
