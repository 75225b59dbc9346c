// A Rust reactor with a Wizer-style initialiser: the snapshot tests'
// Rust guest (guests_test.go). Built by build.sh with Debian's rustc 1.63
// and its wasm32-wasi standard library (packages rustc,
// libstd-rust-dev-wasm32) as a cdylib with an _initialize of its own (see
// there). Rust has no life-before-main: the
// start-up a snapshot skips is the exported wizer.initialize, as Wizer's
// Rust users write it: a prime sieve, a map of 20,000 strings, and the
// greeting read from the environment.

use std::collections::HashMap;

extern "C" {
    fn __wasm_call_ctors();
}

/// The reactor's initialiser, as wasi-libc's crt1-reactor.o defines it:
/// rustc 1.63 links a cdylib with no crt object, and without an
/// _initialize wasm-ld wraps every export in a command_export that runs
/// the constructors and destructors around each call.
#[no_mangle]
pub extern "C" fn _initialize() {
    // SAFETY: the linker's constructor list, run once, first: the host
    // calls _initialize before any other export (WASI reactor ABI).
    unsafe { __wasm_call_ctors() }
}

struct State {
    primes: Vec<u32>,
    words: HashMap<String, u32>,
    greeting: String,
}

static mut STATE: Option<State> = None;

fn state() -> &'static State {
    // SAFETY: a wasm instance is single-threaded, and STATE is written
    // only by init, before any other export runs.
    unsafe { STATE.as_ref().expect("wizer.initialize has not run") }
}

#[export_name = "wizer.initialize"]
pub extern "C" fn init() {
    const N: usize = 2_000_000;
    let mut composite = vec![false; N];
    let mut primes = Vec::new();
    for i in 2..N {
        if !composite[i] {
            primes.push(i as u32);
            if i > (N - 1) / i {
                continue; // i*i is past the table (and would wrap a 32-bit usize)
            }
            let mut j = i * i;
            while j < N {
                composite[j] = true;
                j += i;
            }
        }
    }
    let mut words = HashMap::new();
    for i in 0..20_000u32 {
        words.insert(format!("w{}", i.wrapping_mul(2654435761) % 100_003), i);
    }
    let greeting = std::env::var("GREET").unwrap_or_else(|_| "unset".to_string());
    // SAFETY: as in state(); init runs once, before the other exports.
    unsafe { STATE = Some(State { primes, words, greeting }) }
}

/// The i-th prime (0 for an index past the table).
#[no_mangle]
pub extern "C" fn prime(i: u32) -> u32 {
    state().primes.get(i as usize).copied().unwrap_or(0)
}

/// How many primes are below limit.
#[no_mangle]
pub extern "C" fn count(limit: u32) -> u32 {
    state().primes.partition_point(|&p| p < limit) as u32
}

/// The value init stored under the key "w<k>", or u32::MAX.
#[no_mangle]
pub extern "C" fn word(k: u32) -> u32 {
    *state().words.get(&format!("w{}", k)).unwrap_or(&u32::MAX)
}

/// Prints the greeting init read, with n.
#[no_mangle]
pub extern "C" fn hello(n: u32) {
    println!("{} from Rust #{}", state().greeting, n);
}

/// Allocates and sums n thousand integers: memory the instance dirties
/// (and may grow) after the snapshot.
#[no_mangle]
pub extern "C" fn scratch(n: u32) -> u32 {
    let v: Vec<u32> = (0..n * 1000).collect();
    v.iter().fold(0u32, |a, &x| a.wrapping_add(x))
}

/// Exits the WASI process with code.
#[no_mangle]
pub extern "C" fn quit(code: u32) {
    std::process::exit(code as i32)
}
