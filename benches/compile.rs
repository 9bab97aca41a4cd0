//! What `#[derive(DynamoModel)]` costs at compile time, next to serde's
//! derives, on a generated crate of 100 models.
//!
//! Run through `bash scripts/bench.sh`, or alone with `cargo bench --bench compile`.
//!
//! It writes a small workspace under `target/bench-compile/` (never into the
//! source tree) with four crates holding the same 100 structs (hash + range
//! key, a GSI, an LSI, a TTL attribute, four more fields):
//!
//! | crate | derives on each struct |
//! |---|---|
//! | `plain` | none (the baseline: parsing and checking the structs) |
//! | `serde_only` | `Serialize, Deserialize` |
//! | `dynamo_only` | `DynamoModel` |
//! | `dynamo_serde` | `DynamoModel, Serialize, Deserialize` (what a user writes) |
//!
//! All four depend on, and load, both `dynamo-model` and `serde`, so they
//! differ only by the derives. The dependencies are built once, untimed, in
//! that workspace's own target directory; then each crate is rebuilt from
//! scratch (its `lib.rs` touched, `CARGO_INCREMENTAL=0`) `BENCH_COMPILE_RUNS`
//! times (default 5), the four in rotating order, and the medians are
//! compared. Two clocks: the rustc invocation alone (the command cargo runs,
//! replayed) and `cargo build` as a user waits for it.
//!
//! Generated code size: the crate's source after macro expansion (rustc's
//! `-Zunpretty=expanded`, which needs `RUSTC_BOOTSTRAP=1` on a stable
//! toolchain, the way `cargo expand` does it), in lines and bytes, and the
//! size of the built `.rlib`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/stats.rs"]
mod stats;
use stats::{median, ms};

const VARIANTS: [&str; 4] = ["plain", "serde_only", "dynamo_only", "dynamo_serde"];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let dir = std::env::var_os("BENCH_COMPILE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("bench-compile"));
    let runs: usize = env_number("BENCH_COMPILE_RUNS", 5);
    let models: usize = env_number("BENCH_MODELS", 100);

    generate(&root, &dir, models);
    eprintln!(
        "building the dependencies once in {} (untimed)",
        dir.display()
    );
    let status = cargo(&dir)
        .args(["build", "--quiet", "--workspace"])
        .status()
        .expect("run cargo");
    assert!(status.success(), "the generated workspace does not build");

    // The exact rustc command cargo runs for each crate, to replay it.
    let commands: Vec<String> = VARIANTS.iter().map(|v| rustc_command(&dir, v)).collect();

    let mut rustc: Vec<Vec<Duration>> = vec![Vec::new(); VARIANTS.len()];
    let mut build: Vec<Vec<Duration>> = vec![Vec::new(); VARIANTS.len()];
    for run in 0..runs {
        for k in 0..VARIANTS.len() {
            let i = (run + k) % VARIANTS.len();
            touch(&dir.join(VARIANTS[i]).join("src/lib.rs"));
            let start = Instant::now();
            let status = Command::new("sh")
                .arg("-c")
                .arg(&commands[i])
                .current_dir(&dir)
                .env("CARGO_INCREMENTAL", "0")
                .stderr(Stdio::null())
                .status()
                .expect("run rustc");
            assert!(status.success(), "rustc failed on {}", VARIANTS[i]);
            rustc[i].push(start.elapsed());

            touch(&dir.join(VARIANTS[i]).join("src/lib.rs"));
            let start = Instant::now();
            let status = cargo(&dir)
                .args(["build", "--quiet", "-p", &package(VARIANTS[i])])
                .stderr(Stdio::null())
                .status()
                .expect("run cargo");
            assert!(status.success(), "cargo build failed on {}", VARIANTS[i]);
            build[i].push(start.elapsed());
        }
        eprintln!(
            "  run {run}: rustc {}",
            VARIANTS
                .iter()
                .zip(&rustc)
                .map(|(v, t)| format!("{v} {} ms", ms(*t.last().unwrap())))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let expanded: Vec<(usize, usize)> = commands.iter().map(|c| expanded_size(&dir, c)).collect();
    let rlibs: Vec<u64> = VARIANTS
        .iter()
        .map(|v| {
            std::fs::metadata(
                dir.join("target/debug")
                    .join(format!("lib{}.rlib", package(v))),
            )
            .map_or(0, |m| m.len())
        })
        .collect();

    let report = render(models, runs, &rustc, &build, &expanded, &rlibs);
    println!("{report}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(&path, &report).expect("write BENCH_OUT");
        eprintln!("written to {path}");
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn package(variant: &str) -> String {
    format!("bench_models_{variant}")
}

/// `cargo` on the generated workspace: offline (every crate is in
/// Cargo.lock), its own target directory, no incremental compilation.
fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .arg("--offline");
    command
}

fn touch(path: &Path) {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .expect("open lib.rs");
    file.set_modified(std::time::SystemTime::now())
        .expect("touch lib.rs");
}

/// The rustc command line cargo uses for `variant`, from `cargo build -v`.
fn rustc_command(dir: &Path, variant: &str) -> String {
    touch(&dir.join(variant).join("src/lib.rs"));
    let mut command = cargo(dir);
    command.args(["build", "-v", "-p", &package(variant)]);
    let output = command.output().expect("run cargo build -v");
    assert!(
        output.status.success(),
        "cargo build -v failed for {variant}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let needle = format!("--crate-name {}", package(variant));
    stderr
        .lines()
        .filter(|line| line.contains(&needle))
        .find_map(|line| {
            let start = line.find("Running `")? + "Running `".len();
            let end = line.rfind('`')?;
            Some(line[start..end].to_owned())
        })
        .unwrap_or_else(|| panic!("no rustc command for {variant} in:\n{stderr}"))
}

/// Lines and bytes of the crate after macro expansion.
fn expanded_size(dir: &Path, command: &str) -> (usize, usize) {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} -Zunpretty=expanded"))
        .current_dir(dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .expect("run rustc -Zunpretty=expanded");
    assert!(
        output.status.success(),
        "rustc -Zunpretty=expanded failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    (text.lines().count(), text.len())
}

fn generate(root: &Path, dir: &Path, models: usize) {
    std::fs::create_dir_all(dir).expect("create the bench workspace");
    let members: Vec<String> = VARIANTS.iter().map(|v| format!("\"{v}\"")).collect();
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "# Generated by benches/compile.rs; not part of the repository.\n\
             [workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            members.join(", ")
        ),
    );
    // The repository's lock file: the same versions, and no registry needed.
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("read Cargo.lock");
    write_if_changed(&dir.join("Cargo.lock"), &lock);
    for variant in VARIANTS {
        let crate_dir = dir.join(variant);
        std::fs::create_dir_all(crate_dir.join("src")).expect("create a crate");
        write_if_changed(
            &crate_dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                 [dependencies]\ndynamo-model = {{ path = \"{}\" }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n",
                package(variant),
                root.join("dynamo-model").display()
            ),
        );
        write_if_changed(&crate_dir.join("src/lib.rs"), &source(variant, models));
    }
}

fn write_if_changed(path: &Path, content: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(content) {
        std::fs::write(path, content).expect("write a generated file");
    }
}

/// The crate source: `models` structs with the variant's derives.
fn source(variant: &str, models: usize) -> String {
    let dynamo = variant.starts_with("dynamo");
    let serde = variant.ends_with("serde") || variant == "serde_only";
    let mut derives = Vec::new();
    if dynamo {
        derives.push("::dynamo_model::DynamoModel");
    }
    if serde {
        derives.extend(["::serde::Serialize", "::serde::Deserialize"]);
    }
    let mut out = String::from(
        "//! Generated by benches/compile.rs.\n#![allow(dead_code)]\n\
         use dynamo_model as _;\nuse serde as _;\n",
    );
    let key = |attr: &str| {
        if dynamo {
            attr.to_owned()
        } else {
            String::new()
        }
    };
    for i in 0..models {
        out.push('\n');
        if !derives.is_empty() {
            let _ = writeln!(out, "#[derive({})]", derives.join(", "));
        }
        if dynamo {
            let _ = writeln!(out, "#[dynamo(table = \"model_{i:03}\")]");
        }
        if serde {
            out.push_str("#[serde(rename_all = \"camelCase\")]\n");
        }
        let _ = write!(
            out,
            "pub struct Model{i:03} {{\n\
             {}    pub customer_id: String,\n\
             {}    pub order_id: u64,\n\
             {}    pub status: String,\n\
             {}{}    pub created_at: i64,\n\
             {}    pub expires_at: Option<i64>,\n\
             \x20   pub total: f64,\n\
             \x20   pub note: Option<String>,\n\
             \x20   pub tags: Vec<String>,\n\
             \x20   pub version: u32,\n\
             }}\n",
            key("    #[hash_key]\n"),
            key("    #[range_key]\n"),
            key("    #[gsi(name = \"by_status\", hash_key)]\n"),
            key("    #[gsi(name = \"by_status\", range_key)]\n"),
            key("    #[lsi(name = \"by_created\")]\n"),
            key("    #[ttl]\n"),
        );
    }
    out
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn render(
    models: usize,
    runs: usize,
    rustc: &[Vec<Duration>],
    build: &[Vec<Duration>],
    expanded: &[(usize, usize)],
    rlibs: &[u64],
) -> String {
    let [plain, serde, dynamo, both] = [0, 1, 2, 3];
    let r: Vec<Duration> = rustc.iter().map(|s| median(s)).collect();
    let b: Vec<Duration> = build.iter().map(|s| median(s)).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Compile cost: {models} models, debug build, median of {runs} clean rebuilds\n"
    );
    let _ = writeln!(
        out,
        "| crate | rustc (ms) | cargo build (ms) | expanded lines | expanded bytes | .rlib bytes |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for i in 0..VARIANTS.len() {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            VARIANTS[i],
            ms(r[i]),
            ms(b[i]),
            expanded[i].0,
            expanded[i].1,
            rlibs[i]
        );
    }
    let ratio = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:.2}x", a / b)
        } else {
            "n/a".into()
        }
    };
    let added = |t: &[Duration], i: usize| secs(t[i]) - secs(t[plain]);
    let added_size = |i: usize| expanded[i].1 as f64 - expanded[plain].1 as f64;
    let _ = writeln!(out, "\n| ratio | rustc | cargo build | expanded bytes |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| `dynamo_only` / `serde_only` (whole crate) | {} | {} | {} |",
        ratio(secs(r[dynamo]), secs(r[serde])),
        ratio(secs(b[dynamo]), secs(b[serde])),
        ratio(expanded[dynamo].1 as f64, expanded[serde].1 as f64),
    );
    let _ = writeln!(
        out,
        "| `dynamo_serde` / `serde_only` (whole crate) | {} | {} | {} |",
        ratio(secs(r[both]), secs(r[serde])),
        ratio(secs(b[both]), secs(b[serde])),
        ratio(expanded[both].1 as f64, expanded[serde].1 as f64),
    );
    let _ = writeln!(
        out,
        "| DynamoModel's own cost / serde's own cost (each minus `plain`) | {} | {} | {} |",
        ratio(added(&r, dynamo), added(&r, serde)),
        ratio(added(&b, dynamo), added(&b, serde)),
        ratio(added_size(dynamo), added_size(serde)),
    );
    out
}
