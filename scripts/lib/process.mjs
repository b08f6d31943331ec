// Child-process helpers shared by `npm start` and the end-to-end test: run a setup
// command to completion, start a long-lived service, wait for it to answer, and stop
// everything that was started.
import { spawn, spawnSync } from "node:child_process";

/** Runs a command to completion with inherited output; throws naming the command if it fails. */
export function runStep(command, args, options = {}) {
  const { status, error } = spawnSync(command, args, { stdio: "inherit", ...options });
  if (error) throw new Error(`${command} ${args.join(" ")}: ${error.message}`);
  if (status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${status}`);
}

/**
 * Starts a long-lived service in its own process group (so stopping it also stops
 * whatever it spawned, e.g. workerd under wrangler). Output is prefixed with its name.
 */
export function startService(name, command, args, options = {}) {
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], ...options });
  const prefix = (stream, sink) => {
    let pending = "";
    stream.on("data", (chunk) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) sink.write(`[${name}] ${line}\n`);
    });
  };
  if (options.quiet !== true) {
    prefix(child.stdout, process.stdout);
    prefix(child.stderr, process.stderr);
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }
  child.serviceName = name;
  return child;
}

/** Polls `url` until it answers 2xx, the child exits, or `timeoutMs` passes. */
export async function waitForHttp(url, child, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.serviceName} exited with ${child.exitCode} before ${url} answered`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${child.serviceName} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** Stops services (SIGTERM to the whole group, SIGKILL after a grace period). */
export async function stopServices(children, graceMs = 10_000) {
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of alive) signalGroup(child, "SIGTERM");
  await Promise.all(
    alive.map(
      (child) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            signalGroup(child, "SIGKILL");
            resolve();
          }, graceMs);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
