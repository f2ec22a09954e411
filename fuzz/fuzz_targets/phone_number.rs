#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parla_core::fuzzing::phone_number(data));
