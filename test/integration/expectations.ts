// What the runner tells the in-host suite to expect (JSON file named by BALLOON_INSPECTOR_TEST_EXPECT).
// Shared by test/e2e/run-integration.ts (writes it) and test/integration/*.ts (reads it); no vscode import.

export interface GuestExpectation {
  /** Fixture name, or "this-machine" for the real guest. */
  name: string;
  hypervisorKind: string;
  /** The verdict line (the guest node's first child) must match each of these. */
  verdictPatterns: string[];
  /** Balloon size the report must show, with a tolerance, or null when not asserted. */
  balloonBytes: { value: number; tolerance: number } | null;
  memLimitBytes: number | null;
  balloonDriver: string | null;
  /** Finding ids the engine reports for this guest (balloon-check --format json in the same guest view). */
  findingIds: string[];
}

/** A real QEMU guest reached over SSH (test/realvm), as its runner set it up. */
export interface SshGuestExpectation {
  /** Its Host alias in the window's SSH config. */
  alias: string;
  /** The balloon QEMU reports (configured - query-balloon actual), with a tolerance. */
  balloonBytes: number;
  toleranceBytes: number;
  /** The verdict row must match each of these. */
  verdictPatterns: string[];
  /** Finding ids balloon-check --ssh reports for it in the same run. */
  findingIds: string[];
}

export interface IntegrationExpectation {
  trusted: boolean;
  guest: GuestExpectation;
  /** When set, the run checks this SSH guest only (test/integration/realvm.suite.ts). */
  sshGuest?: SshGuestExpectation;
  /** Runbook whose lenses are checked, relative to the extension's folder (knowledge/runbooks/...). */
  runbook: string | null;
  /** Where the suite writes its results as JSON. */
  resultsFile: string;
  /** Where the extension writes activated.json / last-check.json (BALLOON_INSPECTOR_LOG_DIR). */
  logDir: string;
}

export interface IntegrationResults { passed: number; failed: number; tests: { name: string; ok: boolean; ms: number; error?: string }[] }
