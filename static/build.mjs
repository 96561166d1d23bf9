// Empties static/dist, then copies the GOV.UK Frontend JavaScript and assets, and our own
// module, images and admin stylesheet, into it. sass compiles the CSS afterwards (see
// package.json).
// The GOV.UK fonts are left out: a council uses Arial, not the GOV.UK Transport font.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const govuk = join(here, "..", "node_modules", "govuk-frontend", "dist", "govuk");
const dist = join(here, "dist");

// Start empty so files dropped by a GOV.UK Frontend upgrade do not linger.
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "js"), { recursive: true });

cpSync(join(govuk, "assets"), dist, {
  recursive: true,
  filter: (source) => !source.startsWith(join(govuk, "assets", "fonts")),
});

// The source map is copied too: Django's manifest storage follows sourceMappingURL comments
// and collectstatic fails if the map is missing.
for (const file of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  cpSync(join(govuk, file), join(dist, "js", file));
}

cpSync(join(here, "src", "main.mjs"), join(dist, "js", "main.mjs"));
// The administration site's accessibility fixes (templates/admin/base_site.html): plain CSS.
mkdirSync(join(dist, "css"), { recursive: true });
cpSync(join(here, "src", "admin.css"), join(dist, "css", "admin.css"));
cpSync(join(here, "src", "images"), join(dist, "images"), { recursive: true });
