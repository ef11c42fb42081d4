//! README sections generated from the code (the finding codes, the usage): each sits between
//! `<!-- NAME:start -->` and `<!-- NAME:end -->`, and a unit test keeps it equal to what the
//! code generates, or rewrites it when its update variable is set.

/// Checks the README block `name` against `generated`; with `update_var` set, rewrites it.
#[track_caller]
pub(crate) fn check(name: &str, generated: &str, update_var: &str, script: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let (start_marker, end_marker) = (
        format!("<!-- {name}:start -->\n"),
        format!("<!-- {name}:end -->"),
    );
    let start = readme.find(&start_marker).expect("start marker") + start_marker.len();
    let end = readme.find(&end_marker).expect("end marker");
    if std::env::var_os(update_var).is_some() {
        let text = format!("{}{generated}{}", &readme[..start], &readme[end..]);
        std::fs::write(path, text).expect("README.md written");
        return;
    }
    assert_eq!(
        &readme[start..end],
        generated,
        "README {name} block is stale: regenerate it with {script}"
    );
}
