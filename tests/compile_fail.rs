//! Compile-fail tests of `#[derive(DynamoModel)]` and `#[derive(DynamoTable)]`
//! (`table_def_*`): every rule the macros
//! enforces has one file in `tests/ui/`, named after the rule, whose `.stderr`
//! pins both the message and the span.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
