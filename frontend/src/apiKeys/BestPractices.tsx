import { BEST_PRACTICES, BEST_PRACTICES_TITLE } from "../text/seed";

/** The seed's advice, beside the form. */
export function BestPractices() {
  return (
    <aside className="best-practices" aria-labelledby="best-practices-title">
      <h3 id="best-practices-title">{BEST_PRACTICES_TITLE}</h3>
      <dl>
        {BEST_PRACTICES.map((practice) => (
          <div key={practice.title}>
            <dt>{practice.title}</dt>
            <dd>{practice.text}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}
