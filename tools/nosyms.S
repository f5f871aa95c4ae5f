/* tools/nosyms.S — the empty symbol table of the first link pass. */
	.section .ksyms, "a"
	.balign 8
	.globl ksyms_table
ksyms_table:
	.quad 0
	.globl ksyms_names
ksyms_names:
	.byte 0
