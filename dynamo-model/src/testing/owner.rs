//! Who made a fixture table, read from its name: the process, the machine
//! and the time, so that `remove_leftovers` deletes only tables whose
//! fixture is certainly gone.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::tables::FIXTURE_PREFIX;

/// How old a fixture table made on another machine must be before
/// [`TestTables::remove_leftovers`](crate::testing::TestTables::remove_leftovers) deletes it: whether that machine's test
/// process still runs cannot be known from here.
///
/// ```
/// assert_eq!(dynamo_model::testing::LEFTOVER_AGE.as_secs(), 24 * 3600);
/// ```
pub const LEFTOVER_AGE: Duration = Duration::from_secs(24 * 3600);

static NEXT_FIXTURE: AtomicU64 = AtomicU64::new(0);

/// `dmtest_<pid>_<fixture number>_<time>_`: unique among the fixtures of this
/// process (the counter) and across processes (the pid), and, with the time,
/// across pid reuse.
pub(super) fn unique_prefix() -> String {
    let n = NEXT_FIXTURE.fetch_add(1, Ordering::Relaxed);
    format!(
        "{FIXTURE_PREFIX}{}_{n}_{:x}_{}_",
        std::process::id(),
        unix_seconds(),
        this_host_id()
    )
}

pub(super) fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The id of this machine in its fixtures' table names: 8 hex digits of a
/// hash of `/etc/machine-id`, the host name and the pid namespace (a
/// container's processes are invisible to another container). A fixture's
/// process can only be judged dead where it ran.
///
/// ```
/// let id = dynamo_model::testing::this_host_id();
/// assert_eq!(id.len(), 8);
/// assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
/// ```
pub fn this_host_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        // An empty or placeholder machine-id (common in container images),
        // or one baked into an image many containers share, must not make
        // two machines one: the host name and the pid namespace join it.
        let read = |path: &str| {
            std::fs::read_to_string(path)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty() && s != "uninitialized")
        };
        let machine = read("/etc/machine-id").or_else(|| read("/var/lib/dbus/machine-id"));
        let host = read("/proc/sys/kernel/hostname")
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok());
        let pid_namespace = std::fs::read_link("/proc/self/ns/pid")
            .ok()
            .map(|p| p.display().to_string());
        let identity = [machine, host, pid_namespace]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("|");
        // FNV-1a: stable across Rust versions and processes, unlike std's hasher.
        let hash = identity.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        format!("{hash:08x}")
    })
}

/// Who made a fixture table: from its name, `dmtest_<pid>_<n>_<secs>_<host>_`.
#[derive(Debug, PartialEq)]
struct Owner {
    pid: u32,
    created: u64,
    host: String,
}

fn owner(table: &str) -> Option<Owner> {
    let mut parts = table.strip_prefix(FIXTURE_PREFIX)?.split('_');
    let pid = parts.next()?.parse().ok()?;
    let _fixture: u64 = parts.next()?.parse().ok()?;
    let created = u64::from_str_radix(parts.next()?, 16).ok()?;
    let host = parts.next()?;
    (host.len() == 8 && host.chars().all(|c| c.is_ascii_hexdigit())).then(|| Owner {
        pid,
        created,
        host: host.to_owned(),
    })
}

/// Whether the fixture that made `table` is certainly gone: on this
/// machine, its process no longer runs; made elsewhere, only once it is
/// older than [`LEFTOVER_AGE`]. A name this crate did not make is kept.
pub(super) fn is_leftover(table: &str, now: u64) -> bool {
    match owner(table) {
        Some(owner) if owner.host == this_host_id() => !process_alive(owner.pid),
        Some(owner) => now.saturating_sub(owner.created) > LEFTOVER_AGE.as_secs(),
        None => false,
    }
}

fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
    } else {
        // Without a cheap portable check, err on the side of keeping tables.
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_unique_and_carry_the_pid() {
        let a = unique_prefix();
        let b = unique_prefix();
        assert_ne!(a, b);
        let me = owner(&format!("{a}users")).unwrap();
        assert_eq!(me.pid, std::process::id());
        assert_eq!(me.host, this_host_id());
        assert!(unix_seconds() - me.created < 60);
        assert_eq!(owner("users"), None);
        assert_eq!(owner("dmtest_notapid_1_0_abcdef01_users"), None);
        assert_eq!(owner("dmtest_12_0_0_users"), None, "no host id: kept");
    }

    #[test]
    fn only_tables_known_to_be_abandoned_are_leftovers() {
        let here = this_host_id();
        let other = if here == "00000000" {
            "00000001"
        } else {
            "00000000"
        };
        let now = unix_seconds();
        // This machine: judged by the process.
        assert!(!is_leftover(
            &format!("dmtest_{}_0_{now:x}_{here}_t", std::process::id()),
            now
        ));
        assert!(is_leftover(
            &format!("dmtest_4000000000_0_{now:x}_{here}_t"),
            now
        ));
        // Another machine: judged by age only.
        assert!(!is_leftover(
            &format!("dmtest_4000000000_0_{now:x}_{other}_t"),
            now
        ));
        let old = now - LEFTOVER_AGE.as_secs() - 1;
        assert!(is_leftover(
            &format!("dmtest_4000000000_0_{old:x}_{other}_t"),
            now
        ));
        // Not a fixture name: never.
        assert!(!is_leftover("dmtest_4000000000_0_0_users", now));
    }
}
