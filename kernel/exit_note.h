/*
 * kernel/exit_note.h — exit notes: what an ended thread of the program left
 * for its joiner (its result), kept in kernel memory on the node where the
 * joiner is expected (the thread's creator). A join across nodes then needs
 * no page of the ended thread: the note travels in one message, and the
 * joiner sleeps on its node until it is there.
 *
 * A note is keyed by a word's address (the thread's state word: also the
 * futex key its waiters sleep on) and a serial (the creation the thread
 * was: a later thread whose word has the same address is another
 * creation). A note posted for a word replaces the one before it.
 */
#ifndef KERNEL_EXIT_NOTE_H
#define KERNEL_EXIT_NOTE_H

#include <stdbool.h>
#include <stdint.h>

/* At most this many notes wait on one node. Notes nobody takes (their
 * thread was joined or detached from another node, through its word) are
 * dropped, oldest first, to make room, and counted: once any was, a
 * caller that finds no note must look at the thread's word. */
#define EXIT_NOTE_MAX 4096

/* Records a note and wakes the futex waiters on `word` on this node; a
 * note already there for the word is replaced only by a later creation's
 * (a larger serial). No sleep: callable from the transport's receive
 * path. 0, or -ENOMEM (counted as dropped). */
int exit_note_post(uintptr_t word, uint64_t serial, uint64_t result);
/* Takes (removes) the note for word and serial: true and *result if there
 * was one. */
bool exit_note_take(uintptr_t word, uint64_t serial, uint64_t *result);
/* Sleeps until the note for word and serial is here and takes it: 0, or
 * -ETIMEDOUT after timeout_ns (0 = none), or -EINTR when woken without
 * one (a futex wake-up on the word, a migration's kick): the caller
 * re-checks what it waits for. */
int exit_note_wait(uintptr_t word, uint64_t serial, uint64_t *result,
		   uint64_t timeout_ns);
/* Notes now waiting, and dropped since boot (for tests and reports). */
void exit_note_counts(uint32_t *waiting, uint64_t *dropped);

#endif
