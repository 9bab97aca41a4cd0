//! What the integration tests share, included by each with `mod support;`:
//! the backend under test and what it supports (`backend`), reading a
//! table's changes (`changes`), a table's
//! description reduced for comparison (`describe`), the expected side of
//! the derive tests (`expected`), the models more
//! than one test file uses (`models`), a fresh fixture for tests that create
//! tables themselves (`server`), the fault-injecting proxy (`fault_proxy`) and the fault tests' setup
//! around it (`faulty`).
#![allow(dead_code)]

pub mod backend;
pub mod changes;
pub mod describe;
pub mod expected;
pub mod fault_proxy;
pub mod faulty;
pub mod models;
pub mod server;
