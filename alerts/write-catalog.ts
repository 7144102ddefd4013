/**
 * Regenerates docs/alert-catalog.md: `npx ts-node alerts/write-catalog.ts`.
 * A test fails when the committed file differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { alertCatalogMarkdown } from "./alert-catalog";

const target = join(__dirname, "..", "docs", "alert-catalog.md");
writeFileSync(target, alertCatalogMarkdown());
console.log(`wrote ${target}`);
