/*
 * echo-sp: an FF-A secure partition in A64 with the `echo` behaviour of vector-format.md.
 *
 * It loops on the FF-A partition ABI: FFA_MSG_WAIT, then for each message:
 *   FFA_MSG_SEND_DIRECT_REQ_32/_64 -> FFA_MSG_SEND_DIRECT_RESP_32/_64: w1 = sender and receiver
 *     swapped, w2 = 0, x3-x7 unchanged;
 *   FFA_MSG_SEND_DIRECT_REQ2 -> FFA_MSG_SEND_DIRECT_RESP2: w1 swapped, x2/x3 = 0, x4-x17 unchanged;
 *   anything else (FFA_RUN ...) -> FFA_MSG_WAIT again.
 * The reply to each call is the next message (DEN0077A v1.2 ch.8: the partition's call returns when
 * it is given a message).
 *
 * Built twice (build.sh): CONDUIT_SVC for an S-EL0 partition under an S-EL1 SPMC (SVC #0), and
 * CONDUIT_SMC for an S-EL1 partition under the EL3 SPMC (SMC #0). Position independent: only
 * PC-relative branches, no data. x18 is the scratch register (not part of any FF-A message).
 */
        .text
        .global _start

        .macro ffa_call
#ifdef CONDUIT_SVC
        svc     #0
#else
        smc     #0
#endif
        .endm

        .macro zero_from_x1
        mov     x1, xzr
        mov     x2, xzr
        mov     x3, xzr
        mov     x4, xzr
        mov     x5, xzr
        mov     x6, xzr
        mov     x7, xzr
        mov     x8, xzr
        mov     x9, xzr
        mov     x10, xzr
        mov     x11, xzr
        mov     x12, xzr
        mov     x13, xzr
        mov     x14, xzr
        mov     x15, xzr
        mov     x16, xzr
        mov     x17, xzr
        .endm

_start:
wait:
        /* FFA_MSG_WAIT (0x8400006B): x1-x17 MBZ (v1.2: w2 flags 0 = release the RX buffer) */
        movz    w0, #0x006b
        movk    w0, #0x8400, lsl #16
        zero_from_x1
        ffa_call

message:
        /* FFA_MSG_SEND_DIRECT_REQ_32 = 0x8400006F */
        movz    w18, #0x006f
        movk    w18, #0x8400, lsl #16
        cmp     w0, w18
        b.eq    direct_req
        /* FFA_MSG_SEND_DIRECT_REQ_64 = 0xC400006F */
        movk    w18, #0xc400, lsl #16
        cmp     w0, w18
        b.eq    direct_req
        /* FFA_MSG_SEND_DIRECT_REQ2 = 0xC400008D */
        movz    w18, #0x008d
        movk    w18, #0xc400, lsl #16
        cmp     w0, w18
        b.eq    direct_req2
        b       wait

direct_req:
        /* RESP = REQ + 1 (0x84000070 / 0xC4000070); w1 = receiver:sender; w2 = 0 */
        add     w0, w0, #1
        ror     w1, w1, #16
        mov     x2, xzr
        ffa_call
        b       message

direct_req2:
        /* RESP2 = 0xC400008E; w1 swapped; x2/x3 MBZ; x4-x17 unchanged */
        add     w0, w0, #1
        ror     w1, w1, #16
        mov     x2, xzr
        mov     x3, xzr
        ffa_call
        b       message
