/* An enumerator that does not carry its enum's name as prefix. */
typedef enum hyb_bad_mode {
    HYB_BAD_MODE_FAST = 0,
    HYB_SLOW = 1
} hyb_bad_mode;
