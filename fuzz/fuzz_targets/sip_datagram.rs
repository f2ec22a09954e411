#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parla_core::fuzzing::sip_datagram(data));
