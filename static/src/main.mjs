// Loaded with <script type="module">, so it only runs in browsers GOV.UK Frontend supports.
// The GOV.UK page template adds these classes with an inline script; our Content-Security-Policy
// forbids inline scripts, so they are added here before the components start.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();
