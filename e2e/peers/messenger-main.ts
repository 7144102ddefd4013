import { startMessenger } from "../../test/rehearsal/messenger";

/**
 * The synthetic messenger of the rehearsal, as the application of the end-to-end deploy: one process
 * serving the four services' ports (given as arguments, default the guide's 8080-8083), each with the
 * guide's `messenger_*` metrics. The container carries the four service names as network aliases.
 */
async function main(): Promise<void> {
  const ports = process.argv.slice(2).map(Number);
  for (const port of ports.length > 0 ? ports : [8080, 8081, 8082, 8083]) {
    const m = await startMessenger({ port, host: "0.0.0.0" });
    console.log(`messenger listening on ${m.address}`);
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
