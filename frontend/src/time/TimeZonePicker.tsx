import { useId, useMemo } from "react";
import { zoneName } from "./format";
import { browserTimeZone, chooseTimeZone, knownTimeZones, useTimeZone } from "./zone";

/** Which zone the page shows times in: the browser's by default; the choice is remembered. */
export function TimeZonePicker() {
  const zone = useTimeZone();
  const id = useId();
  const browser = browserTimeZone();
  const zones = useMemo(() => knownTimeZones(), []);
  return (
    <div className="time-zone">
      <label htmlFor={id}>Times in</label>
      <select id={id} value={zone} onChange={(event) => chooseTimeZone(event.target.value)}>
        <option value={browser}>{`${browser} (${zoneName(browser)}, this browser’s)`}</option>
        {zone !== browser && zone !== "UTC" ? <option value={zone}>{`${zone} (${zoneName(zone)})`}</option> : null}
        <option value="UTC">UTC (as in the CSV exports)</option>
        {zones
          .filter((name) => name !== browser && name !== zone && name !== "UTC")
          .map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
      </select>
    </div>
  );
}
