//! The error context: every rule that fails adds an error here and the
//! derive keeps going, so one compile shows every mistake in a struct rather
//! than one per edit-compile cycle (the design of serde_derive's `Ctxt`).

use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects `syn::Error`s; must be consumed with [`Ctxt::check`].
///
/// Shared by reference (`&Ctxt`) through parsing and checking; the
/// `RefCell` makes that possible without threading `&mut` everywhere.
pub struct Ctxt {
    /// `None` once checked, so a forgotten `check` (which would silently drop
    /// errors) is caught by `Drop`.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// An error covering the tokens of `obj` (all of them, where the
    /// compiler can join spans: a whole type, a whole attribute).
    pub fn error_spanned_by<T: ToTokens, M: Display>(&self, obj: T, msg: M) {
        self.push(syn::Error::new_spanned(obj.into_token_stream(), msg));
    }

    /// An error at one span.
    pub fn error_at<M: Display>(&self, span: Span, msg: M) {
        self.push(syn::Error::new(span, msg));
    }

    /// An error syn produced while parsing.
    pub fn syn_error(&self, err: syn::Error) {
        self.push(err);
    }

    fn push(&self, err: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt used after check")
            .push(err);
    }

    /// All errors so far, combined into one (each keeps its own span), or
    /// `Ok` if there were none.
    pub fn check(self) -> syn::Result<()> {
        let mut errors = self
            .errors
            .borrow_mut()
            .take()
            .expect("Ctxt checked twice")
            .into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for err in errors {
            combined.combine(err);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !thread::panicking() && self.errors.borrow().is_some() {
            panic!("Ctxt dropped without check: errors would be lost");
        }
    }
}
