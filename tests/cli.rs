//! The command line, run as users run it: the `tables` example binary
//! (examples/tables.rs), against the server under test, under this test's
//! own table prefix. A drifted table plans with exit code 2, `apply --yes`
//! brings it in step, `export` writes a file, `check` exits 0 on a matching
//! lock and 2 on a drifted one, `upgrade` refuses a page size of 0. (The
//! backfill on the command line, checkpoint files included, is in
//! tests/shape_backfill.rs: the example's models have no shapes.)

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use dynamo_model::{AttributeType, CreateTableOptions, TableSchema};
use support::backend::{lacks, supports, Feature};

/// The example binary `cargo test` builds next to the test binaries.
fn tables_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let bin = profile_dir
        .join("examples")
        .join(format!("tables{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: `cargo test` builds it (or `cargo build --example tables`)",
        bin.display()
    );
    bin
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(endpoint: &str, prefix: &str, args: &[&str]) -> Run {
    let output: Output = std::process::Command::new(tables_bin())
        .args(["--endpoint", endpoint, "--table-prefix", prefix])
        .args(args)
        .env_remove("DYNAMODB_ENDPOINT")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drifted_table_plans_with_exit_code_2_and_apply_yes_brings_it_in_step() {
    let (scratch, db) = support::server::scratch_db().await;
    let endpoint = scratch.local.endpoint().to_owned();
    let prefix = db.table_prefix().unwrap().to_owned();
    // `users` as an older model made it: without the by_email GSI.
    let old = TableSchema::builder("users")
        .hash_key("id", AttributeType::S)
        .build()
        .unwrap();
    db.table_for_schema(&old)
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();

    let plan = run(&endpoint, &prefix, &["plan", "users", "--exit-code"]);
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(
        plan.stdout.contains(&format!(
            "table `{prefix}users`: 1 change\n  + GSI by_email (email S, ALL; on-demand)\n"
        )),
        "{plan:?}"
    );
    assert!(
        plan.stdout
            .contains("1 of 1 table(s) differ from their models."),
        "{plan:?}"
    );
    let without = run(&endpoint, &prefix, &["plan", "users"]);
    assert_eq!(without.code, 0, "no --exit-code: {without:?}");
    let json = run(&endpoint, &prefix, &["plan", "users", "--json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(parsed[0]["changes"][0]["change"], "add_index", "{json:?}");

    // Without --yes and nothing on stdin, apply asks and takes it as no.
    let declined = run(&endpoint, &prefix, &["apply", "users"]);
    assert_eq!(declined.code, 1, "{declined:?}");
    assert!(declined.stdout.contains("Nothing applied."), "{declined:?}");

    if !supports(Feature::IndexCreateDelete) {
        lacks(
            Feature::IndexCreateDelete,
            "the plan and its exit codes, and that apply --yes fails with exit 1",
        );
        let failed = run(&endpoint, &prefix, &["apply", "users", "--yes"]);
        assert_eq!(failed.code, 1, "{failed:?}");
        return;
    }
    let applied = run(&endpoint, &prefix, &["apply", "users", "--yes"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(
        applied.stderr.contains(&format!(
            "done: {prefix}users: + GSI by_email (email S, ALL; on-demand)"
        )),
        "progress is shown: {applied:?}"
    );
    let after = run(&endpoint, &prefix, &["plan", "users", "--exit-code"]);
    assert_eq!(after.code, 0, "{after:?}");
    assert!(after.stdout.contains("no changes"), "{after:?}");

    let list = run(&endpoint, &prefix, &["list"]);
    assert_eq!(list.code, 0, "{list:?}");
    assert!(
        list.stdout
            .contains(&format!("{prefix}users   ACTIVE, 1 GSI(s)")),
        "{list:?}"
    );
    assert!(
        list.stdout.contains(&format!("{prefix}orders  absent")),
        "{list:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn destructive_changes_are_held_back_with_exit_code_3_and_delete_needs_names() {
    let (scratch, db) = support::server::scratch_db().await;
    let endpoint = scratch.local.endpoint().to_owned();
    let prefix = db.table_prefix().unwrap().to_owned();
    // `users` with an index the model no longer has.
    let old = TableSchema::builder("users")
        .hash_key("id", AttributeType::S)
        .global_index("by_email", |i| i.hash_key("email", AttributeType::S))
        .global_index("by_name", |i| i.hash_key("name", AttributeType::S))
        .build()
        .unwrap();
    db.table_for_schema(&old)
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let held = run(&endpoint, &prefix, &["apply", "users", "--yes"]);
    assert_eq!(held.code, 3, "{held:?}");
    assert!(
        held.stdout
            .contains(&format!("  {prefix}users: - GSI by_name (name S, ALL)")),
        "{held:?}"
    );
    assert!(
        db.table_named("users")
            .describe()
            .await
            .unwrap()
            .global_secondary_indexes()
            .len()
            == 2
    );
    let dropped = run(
        &endpoint,
        &prefix,
        &["apply", "users", "--yes", "--allow-destructive"],
    );
    if supports(Feature::IndexCreateDelete) {
        assert_eq!(dropped.code, 0, "{dropped:?}");
    } else {
        lacks(
            Feature::IndexCreateDelete,
            "that apply --allow-destructive fails (exit 1) saying the drop is not shown",
        );
        assert_eq!(dropped.code, 1, "{dropped:?}");
        assert!(dropped.stderr.contains("does not show it"), "{dropped:?}");
    }

    let unnamed = run(&endpoint, &prefix, &["delete", "--yes"]);
    assert_eq!(unnamed.code, 64, "{unnamed:?}");
    assert!(unnamed.stderr.contains("name the tables"), "{unnamed:?}");
    let unknown = run(&endpoint, &prefix, &["delete", "audit", "--yes"]);
    assert_eq!(unknown.code, 64, "{unknown:?}");
    assert!(
        unknown.stderr.contains("no model has the table `audit`"),
        "{unknown:?}"
    );
    assert!(db.table_named("users").exists().await.unwrap());
    let deleted = run(&endpoint, &prefix, &["delete", "users", "--yes"]);
    assert_eq!(deleted.code, 0, "{deleted:?}");
    assert!(!db.table_named("users").exists().await.unwrap());

    let created = run(&endpoint, &prefix, &["create", "users"]);
    assert_eq!(created.code, 0, "{created:?}");
    assert!(
        created.stdout.contains(&format!("{prefix}users: created")),
        "{created:?}"
    );
    assert!(db.table_named("users").exists().await.unwrap());
}

#[test]
fn export_writes_a_file_and_check_exits_0_then_2_on_a_drifted_lock() {
    let dir = scratch_dir("files");
    // No server is needed for these: any endpoint will do.
    let endpoint = "http://127.0.0.1:9";
    let file = dir.join("users.tf");
    let export = run(
        endpoint,
        "",
        &[
            "export",
            "users",
            "--format",
            "terraform",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(export.code, 0, "{export:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("resource \"aws_dynamodb_table\" \"users\""),
        "{text}"
    );
    let all = run(
        endpoint,
        "",
        &[
            "export",
            "--format",
            "cloudformation",
            "-o",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(all.code, 0, "{all:?}");
    for name in ["users.template.json", "orders.template.json"] {
        let template: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        assert!(template["Resources"].is_object(), "{name}");
    }

    let lock = dir.join("schema.lock.json");
    let lock_arg = lock.to_str().unwrap();
    let missing = run(endpoint, "", &["check", "--file", lock_arg]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(missing.stderr.contains("lock"), "{missing:?}");
    let written = run(endpoint, "", &["lock", "--file", lock_arg]);
    assert_eq!(written.code, 0, "{written:?}");
    let check = run(endpoint, "", &["check", "--file", lock_arg]);
    assert_eq!(check.code, 0, "{check:?}");
    // A lock damaged where the layouts go is refused, not passed.
    let text = std::fs::read_to_string(&lock).unwrap();
    let start = text
        .find(r#""items": {"#)
        .expect("the CLI's lock records layouts");
    std::fs::write(
        &lock,
        format!("{}\"items\": \"oops\"\n}}\n", &text[..start]),
    )
    .unwrap();
    let damaged = run(endpoint, "", &["check", "--file", lock_arg]);
    assert_eq!(damaged.code, 1, "{damaged:?}");
    assert!(
        damaged.stderr.contains("damaged: invalid type"),
        "{damaged:?}"
    );
    std::fs::write(&lock, &text).unwrap();

    // The lock as an older model left it: another sort key type.
    let text = std::fs::read_to_string(&lock).unwrap();
    let drifted = text.replace("\"orderId N\"", "\"orderId S\"");
    assert_ne!(drifted, text, "the lock names the sort key: {text}");
    std::fs::write(&lock, drifted).unwrap();
    let check = run(endpoint, "", &["check", "--file", lock_arg]);
    assert_eq!(check.code, 2, "{check:?}");
    assert!(check.stdout.contains("needs a new table"), "{check:?}");

    let usage = run(endpoint, "", &["plan", "--no-such-flag"]);
    assert_eq!(usage.code, 64, "{usage:?}");
}

#[test]
fn upgrade_takes_a_page_size_and_refuses_0_before_any_request() {
    // No server is needed: a page size of 0 is refused by the argument
    // parser, and the example's models have no shapes to upgrade.
    let endpoint = "http://127.0.0.1:9";
    let zero = run(endpoint, "", &["upgrade", "--page-size", "0"]);
    assert_eq!(zero.code, 64, "{zero:?}");
    let help = run(endpoint, "", &["upgrade", "--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    assert!(help.stdout.contains("--page-size"), "{help:?}");
    let none = run(endpoint, "", &["upgrade", "--page-size", "50"]);
    assert_eq!(none.code, 0, "{none:?}");
    assert!(none.stdout.contains("no model has shapes"), "{none:?}");
}
