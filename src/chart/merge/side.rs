//! The side a true conflict is settled for (--ours, --theirs).

/// Which side wins a true conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Side {
    /// The user's version (the default; the run then fails so the user looks).
    #[default]
    Ours,
    /// The new conversion.
    Theirs,
}
