# SPDX-License-Identifier: GPL-2.0
# The lints of rust_common_flags in the kernel's top Makefile (and
# /work/main/Cargo.toml), for rustc and clippy-driver.
RUST_LINTS="--edition=2021 -Dnon_ascii_idents -Dunsafe_op_in_unsafe_fn -Wmissing_docs
 -Wrust_2018_idioms -Wunreachable_pub -Wclippy::all -Wclippy::as_ptr_cast_mut
 -Wclippy::as_underscore -Wclippy::cast_lossless -Aclippy::collapsible_if
 -Aclippy::collapsible_match -Wclippy::ignored_unit_patterns -Aclippy::incompatible_msrv
 -Wclippy::mut_mut -Wclippy::needless_bitwise_bool -Aclippy::needless_lifetimes
 -Wclippy::no_mangle_with_rust_abi -Wclippy::ptr_as_ptr -Wclippy::ptr_cast_constness
 -Wclippy::ref_as_ptr -Wclippy::undocumented_unsafe_blocks -Aclippy::uninlined_format_args
 -Wclippy::unnecessary_safety_comment -Wclippy::unnecessary_safety_doc
 -Aclippy::unwrap_or_default"
