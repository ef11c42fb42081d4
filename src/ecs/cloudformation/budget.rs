//! A byte budget on what CloudFormation's functions produce for one template, checked as
//! they run: a parameter of 1 MiB used a thousand times would otherwise take gigabytes.

use std::cell::{Cell, RefCell};

use crate::error::FieldError;
use crate::json_path::JsonPath;

/// Bytes the functions may produce for one template: a parameter of 1 MiB used a thousand
/// times would otherwise take gigabytes.
pub(crate) const EXPANSION_BUDGET: usize = 32 << 20;

/// Bytes produced so far, and where the budget ran out.
#[derive(Default)]
pub(crate) struct Budget {
    spent: Cell<usize>,
    over: RefCell<Option<JsonPath>>,
}

impl Budget {
    /// Whether `more` bytes still fit; the first place they do not is kept.
    pub(super) fn fits(&self, more: usize, path: &JsonPath) -> bool {
        let total = self.spent.get().saturating_add(more);
        if total > EXPANSION_BUDGET {
            self.over.borrow_mut().get_or_insert_with(|| path.clone());
            return false;
        }
        true
    }

    /// `text`, counted; empty once the budget is spent, so nothing grows further.
    pub(super) fn produce(&self, text: String, path: &JsonPath) -> String {
        if !self.fits(text.len(), path) {
            return String::new();
        }
        self.spent.set(self.spent.get() + text.len());
        text
    }

    /// Where the functions first expanded beyond the budget.
    fn exceeded(&self) -> Option<JsonPath> {
        self.over.borrow().clone()
    }
}

impl Budget {
    /// A template whose functions produced more than the budget is refused where it ran out.
    pub(super) fn check(&self) -> Result<(), FieldError> {
        match self.exceeded() {
            Some(path) => Err(FieldError::new(
                &path,
                format!(
                    "functions (Ref, Fn::Sub, Fn::Join) expand beyond {} MiB",
                    EXPANSION_BUDGET >> 20
                ),
            )),
            None => Ok(()),
        }
    }
}
