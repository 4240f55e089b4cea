// SPDX-License-Identifier: GPL-2.0

//! `module-hashes write` as a make job: it takes job slots from the make
//! jobserver that MAKEFLAGS names, a pipe (make 4.3) or a fifo (make 4.4),
//! never more than it has work for, and gives every token back, also when
//! it fails.

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{assert_failed, fake_module, sha256, vmlinux, write_tool, Tree, Vmlinux};

/// The token make puts in its jobserver.
const TOKEN: u8 = b'+';

/// A tree with `count` modules, modules.order and a vmlinux with room for
/// them.
fn tree_with_modules(count: usize) -> (Tree, Vmlinux) {
    let tree = Tree::new();
    let mut objects = Vec::new();
    for index in 0..count {
        let name = format!("m/mod{index}");
        tree.write(&format!("{name}.ko"), &fake_module(&name));
        objects.push(format!("{name}.o"));
    }
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    tree.write_order(&objects);
    let vmlinux = vmlinux(24 + 32 * count);
    tree.write("vmlinux", &vmlinux.bytes);
    (tree, vmlinux)
}

/// Checks that vmlinux has the digests of the `count` modules of
/// `tree_with_modules`.
fn assert_table(tree: &Tree, vmlinux: &Vmlinux, count: usize) {
    let mut digests: Vec<[u8; 32]> = (0..count)
        .map(|index| sha256(&fake_module(&format!("m/mod{index}"))))
        .collect();
    digests.sort();
    let section = &tree.read("vmlinux")[vmlinux.section.clone()];
    assert_eq!(section[16..20], u32::try_from(count).unwrap().to_le_bytes());
    for (entry, digest) in section[24..].chunks(32).zip(&digests) {
        assert_eq!(entry, digest);
    }
}

/// Makes a named fifo at `path`.
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A make 4.4 jobserver: a named fifo holding tokens.
struct FifoJobserver {
    /// The fifo.
    path: PathBuf,
    /// Opened for reading and writing, which never blocks, so that the fifo
    /// always has a reader and a writer.
    file: File,
}

impl FifoJobserver {
    /// A fifo in `directory` with `tokens` tokens in it.
    fn new(directory: &Path, tokens: usize) -> Self {
        let path = directory.join("jobserver-fifo");
        mkfifo(&path);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .expect("open the fifo");
        file.write_all(&vec![TOKEN; tokens]).expect("fill the fifo");
        FifoJobserver { path, file }
    }

    /// MAKEFLAGS as make 4.4 sets it for a job.
    fn makeflags(&self) -> String {
        format!(" -j8 --jobserver-auth=fifo:{}", self.path.display())
    }

    /// The number of tokens in the fifo, which stay there.  Only while no
    /// one else reads it.
    fn tokens(&mut self) -> usize {
        // Everything before a byte that is not a token, so that a read
        // never waits.
        self.file.write_all(b"!").unwrap();
        let mut count = 0;
        loop {
            let mut byte = [0];
            self.file.read_exact(&mut byte).unwrap();
            if byte[0] == b'!' {
                break;
            }
            assert_eq!(byte[0], TOKEN, "only tokens in the jobserver");
            count += 1;
        }
        self.file.write_all(&vec![TOKEN; count]).unwrap();
        count
    }
}

#[test]
fn tokens_come_back_to_a_pipe() {
    // The pipe is make 4.3's: descriptors 3 and 4, its two ends, are open
    // in the job.  The job starts once the tokens are in the pipe, after a
    // line that the shell reads (a byte at a time); after the job, the
    // shell counts what the pipe holds.
    const SCRIPT: &str = r#"exec 3<&0 4>/proc/self/fd/0 0</dev/null
read go <&3
"$@"
status=$?
exec 4>&-
echo "$status $(wc -c <&3)""#;
    for (modules, tokens, broken) in [(40, 3, false), (1, 3, false), (40, 3, true), (40, 0, false)]
    {
        let (tree, vmlinux) = tree_with_modules(modules);
        if broken {
            tree.write("m/mod20.ko", b"not a module");
        }
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(SCRIPT)
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_module-hashes-write"))
            .args(tree.write_args())
            .env("MAKEFLAGS", "s -j4 --jobserver-auth=3,4")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sh");
        let mut pipe = child.stdin.take().expect("the pipe");
        let mut go = b"go\n".to_vec();
        go.resize(go.len() + tokens, TOKEN);
        pipe.write_all(&go).expect("fill the pipe");
        drop(pipe);
        let output = child.wait_with_output().expect("wait for sh");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let expected_status = if broken { 1 } else { 0 };
        assert_eq!(
            stdout,
            format!("{expected_status} {tokens}\n"),
            "{modules} modules, {tokens} tokens: {stderr}"
        );
        if broken {
            assert!(stderr.contains("m/mod20.ko: not an ELF file"), "{stderr}");
        } else {
            assert!(stderr.is_empty(), "{stderr}");
            assert_table(&tree, &vmlinux, modules);
        }
    }
}

#[test]
fn tokens_come_back_to_a_fifo() {
    for broken in [false, true] {
        let (tree, vmlinux) = tree_with_modules(40);
        if broken {
            tree.write("m/mod30.ko", b"not a module");
        }
        let mut jobserver = FifoJobserver::new(tree.root(), 5);
        let output = write_tool()
            .args(tree.write_args())
            .env("MAKEFLAGS", jobserver.makeflags())
            .output()
            .expect("run module-hashes");
        if broken {
            assert_failed(&output, 1, &["m/mod30.ko", "not an ELF file"]);
        } else {
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert_table(&tree, &vmlinux, 40);
        }
        assert_eq!(jobserver.tokens(), 5);
    }
}

#[test]
fn descriptors_that_make_did_not_pass_on_mean_one_thread() {
    // make 4.3 closes the jobserver's descriptors in a command that is not
    // marked recursive, but MAKEFLAGS still names them.
    let (tree, vmlinux) = tree_with_modules(10);
    let output = write_tool()
        .args(tree.write_args())
        .env("MAKEFLAGS", " -j4 --jobserver-auth=900,901")
        .output()
        .expect("run module-hashes");
    assert!(output.status.success());
    assert!(output.stderr.is_empty());
    assert_table(&tree, &vmlinux, 10);
}

/// Modules that are fifos: a thread that opens one waits until someone
/// opens it for writing.  So the threads can be counted while they wait.
struct WaitingModules {
    /// The tree.
    tree: Tree,
    /// The fifos, in modules.order.
    fifos: Vec<PathBuf>,
}

impl WaitingModules {
    /// `count` modules that are fifos.
    fn new(count: usize) -> Self {
        let tree = Tree::new();
        let mut objects = Vec::new();
        let mut fifos = Vec::new();
        for index in 0..count {
            fs::create_dir_all(tree.root().join("m")).unwrap();
            let fifo = tree.root().join(format!("m/fifo{index}.ko"));
            mkfifo(&fifo);
            fifos.push(fifo);
            objects.push(format!("m/fifo{index}.o"));
        }
        let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
        tree.write_order(&objects);
        tree.write("vmlinux", &vmlinux(24 + 32 * count).bytes);
        WaitingModules { tree, fifos }
    }

    /// Starts `write` with `extra` arguments and MAKEFLAGS.
    fn start(&self, extra: &[&str], makeflags: Option<String>) -> Child {
        let mut command = write_tool();
        command
            .args(self.tree.write_args())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(makeflags) = makeflags {
            command.env("MAKEFLAGS", makeflags);
        }
        command.spawn().expect("run module-hashes")
    }

    /// Lets the threads waiting on the fifos go on: each opens an empty
    /// file, not a module, so `write` fails.
    fn release(&self, child: Child) -> Output {
        for fifo in &self.fifos {
            // Opening a fifo for reading and writing never waits; as a
            // writer, it ends the wait of a reader.
            drop(
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(fifo)
                    .unwrap(),
            );
        }
        child.wait_with_output().expect("wait for module-hashes")
    }
}

/// The states of the threads of process `pid`, and whether each waits
/// for the other end of a fifo, where the kernel says.
fn threads(pid: u32) -> Vec<(char, bool)> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|task| {
            let task = task.ok()?.path();
            let stat = fs::read_to_string(task.join("stat")).ok()?;
            let state = stat.rsplit_once(") ")?.1.chars().next()?;
            let wchan = fs::read_to_string(task.join("wchan")).unwrap_or_default();
            let on_fifo =
                wchan == "wait_for_partner" || (state == 'S' && matches!(&*wchan, "" | "0"));
            Some((state, on_fifo))
        })
        .collect()
}

/// The number of threads of process `pid`, once they all wait on a fifo.
fn threads_waiting(pid: u32) -> usize {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = threads(pid);
        if !now.is_empty() && now.iter().all(|&(_, on_fifo)| on_fifo) {
            sleep(Duration::from_millis(100));
            if threads(pid) == now {
                return now.len();
            }
        }
        assert!(Instant::now() < deadline, "threads of {pid}: {now:?}");
        sleep(Duration::from_millis(10));
    }
}

#[test]
fn threads_follow_the_jobserver() {
    // With 5 tokens, 3 modules need only 2 more threads.
    let modules = WaitingModules::new(3);
    let mut jobserver = FifoJobserver::new(modules.tree.root(), 5);
    let child = modules.start(&[], Some(jobserver.makeflags()));
    assert_eq!(threads_waiting(child.id()), 3);
    assert_eq!(jobserver.tokens(), 3);
    let output = modules.release(child);
    assert_failed(&output, 1, &["m/fifo0.ko", "not an ELF file"]);
    assert_eq!(jobserver.tokens(), 5);

    // With 1 token, 2 threads.
    let modules = WaitingModules::new(3);
    let mut jobserver = FifoJobserver::new(modules.tree.root(), 1);
    let child = modules.start(&[], Some(jobserver.makeflags()));
    assert_eq!(threads_waiting(child.id()), 2);
    assert_eq!(jobserver.tokens(), 0);
    modules.release(child);
    assert_eq!(jobserver.tokens(), 1);
}

#[test]
fn without_a_jobserver_one_thread_and_j_wins() {
    let modules = WaitingModules::new(3);
    let child = modules.start(&[], None);
    assert_eq!(threads_waiting(child.id()), 1);
    assert_failed(&modules.release(child), 1, &["m/fifo0.ko"]);

    // -j on the command line, and the jobserver is not touched.
    let modules = WaitingModules::new(3);
    let mut jobserver = FifoJobserver::new(modules.tree.root(), 5);
    let child = modules.start(&["-j", "2"], Some(jobserver.makeflags()));
    assert_eq!(threads_waiting(child.id()), 2);
    assert_eq!(jobserver.tokens(), 5);
    modules.release(child);
    assert_eq!(jobserver.tokens(), 5);
}

#[test]
fn make_runs_write_with_its_jobserver() {
    assert!(
        Command::new("make").arg("--version").output().is_ok(),
        "the test needs make"
    );
    let (tree, vmlinux) = tree_with_modules(40);
    let args: Vec<String> = tree
        .write_args()
        .iter()
        .map(|arg| format!("'{}'", arg.to_string_lossy()))
        .collect();
    let tool = env!("CARGO_BIN_EXE_module-hashes-write");
    // '+' passes make 4.3's descriptors on; with make 4.4, the fifo needs
    // none.  make checks that every token is back when it ends.
    for prefix in ["+", ""] {
        let makefile = format!(
            "all: other\n\t{prefix}@'{tool}' {}\nother:\n\t@true\n",
            args.join(" ")
        );
        tree.write("Makefile", makefile.as_bytes());
        tree.write("vmlinux", &vmlinux.bytes);
        let output = Command::new("make")
            .args(["-s", "-j4", "-f"])
            .arg(tree.root().join("Makefile"))
            .env_remove("MAKEFLAGS")
            .env_remove("MFLAGS")
            .env_remove("MAKELEVEL")
            .output()
            .expect("run make");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{prefix:?}: {stderr}");
        assert!(stderr.is_empty(), "{prefix:?}: {stderr}");
        assert_table(&tree, &vmlinux, 40);
    }
}
