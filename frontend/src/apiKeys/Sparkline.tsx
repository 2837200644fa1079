import type { UsageDay } from "./usage";

const WIDTH = 90;
const HEIGHT = 24;

/**
 * A key's days as bars: served requests in the accent colour, refused ones stacked on them in the danger
 * colour. Decoration only (aria-hidden): the control around it says the numbers, the panel lists them.
 */
export function Sparkline({ days }: { days: readonly UsageDay[] }) {
  const most = Math.max(1, ...days.map((day) => day.served + day.refused));
  const step = WIDTH / Math.max(1, days.length);
  const bar = Math.max(1, step - 1);
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" focusable="false">
      <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="baseline" />
      {days.map((day, index) => {
        const served = (day.served / most) * (HEIGHT - 1);
        const refused = (day.refused / most) * (HEIGHT - 1);
        // Any use shows, however small beside the busiest day.
        const servedHeight = day.served > 0 ? Math.max(1.5, served) : 0;
        const refusedHeight = day.refused > 0 ? Math.max(1.5, refused) : 0;
        return (
          <g key={day.start} data-day={day.start.slice(0, 10)}>
            {servedHeight > 0 ? <rect className="served" x={index * step} y={HEIGHT - servedHeight} width={bar} height={servedHeight} /> : null}
            {refusedHeight > 0 ? (
              <rect className="refused" x={index * step} y={HEIGHT - servedHeight - refusedHeight} width={bar} height={refusedHeight} />
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
