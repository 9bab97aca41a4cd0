//! Tests with a real JVM. `cargo test` must not start one, so they run only
//! when `DYNAMO_MODEL_BACKEND=dynamodb-local` (as `scripts/test-backends.sh`
//! sets it for its DynamoDB Local pass).

use super::process::answers_http;
use super::*;

const HELPER_ENV: &str = "DYNAMO_MODEL_TEST_JVM_HELPER";

fn enabled(test: &str) -> bool {
    let on =
        std::env::var(crate::testing::BACKEND_ENV_VAR).is_ok_and(|v| v.trim() == "dynamodb-local");
    if !on {
        eprintln!(
            "{test}: skipped (starts a JVM; set DYNAMO_MODEL_BACKEND=dynamodb-local to run it)"
        );
    }
    on
}

/// Whether `pid` is a live process (a zombie counts as dead).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

fn gone_within(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

#[test]
fn a_started_server_answers_and_its_jvm_dies_when_dropped() {
    if !enabled("a_started_server_answers_and_its_jvm_dies_when_dropped") {
        return;
    }
    let server = DynamoDbLocalServer::start().unwrap();
    eprintln!(
        "DynamoDB Local answered {:?} after spawn",
        server.startup_time()
    );
    let pid = server.pid();
    assert!(alive(pid));
    assert!(answers_http(server.port));
    assert!(server.endpoint().starts_with("http://127.0.0.1:"));
    drop(server);
    assert!(
        gone_within(pid, Duration::from_secs(5)),
        "JVM {pid} outlived its handle"
    );
}

#[test]
fn the_shared_server_is_started_once() {
    if !enabled("the_shared_server_is_started_once") {
        return;
    }
    let first = shared().unwrap();
    let second = shared().unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert!(first.is_running());
}

/// Half of the next test: run in a child process (with `HELPER_ENV` set),
/// it starts a JVM, says its pid and waits to be killed. In the test run
/// itself it has nothing to do and returns.
#[test]
fn helper_start_and_wait_to_be_killed() {
    if std::env::var_os(HELPER_ENV).is_none() {
        return;
    }
    let server = DynamoDbLocalServer::start().unwrap();
    println!("jvm-pid={}", server.pid());
    io::stdout().flush().unwrap();
    std::thread::sleep(Duration::from_secs(120));
}

#[cfg(target_os = "linux")]
#[test]
fn the_jvm_dies_when_the_test_process_is_killed() {
    use std::io::BufRead;
    if !enabled("the_jvm_dies_when_the_test_process_is_killed") {
        return;
    }
    struct KillOnDrop(Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut helper = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "testing::dynamodb_local::jvm_tests::helper_start_and_wait_to_be_killed",
            ])
            .args(["--nocapture", "--test-threads=1"])
            .env(HELPER_ENV, "1")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = io::BufReader::new(helper.0.stdout.take().unwrap());
    let pid: u32 = stdout
        .lines()
        .map_while(|line| line.ok())
        // libtest prints `test <name> ... ` on the same line first.
        .find_map(|line| {
            line.split_once("jvm-pid=")
                .map(|(_, pid)| pid.trim().parse().unwrap())
        })
        .expect("the helper printed no JVM pid");
    assert!(alive(pid));
    // SIGKILL: no destructor, no atexit hook runs in the helper; only the
    // kernel's parent-death signal can stop the JVM now.
    helper.0.kill().unwrap();
    helper.0.wait().unwrap();
    assert!(
        gone_within(pid, Duration::from_secs(5)),
        "JVM {pid} outlived the killed test process"
    );
}
