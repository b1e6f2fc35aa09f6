/* backoff.c — the delay before a retry (policy.h). */
#include "policy/policy.h"

/* xorshift64*: per run, no global state. */
static double rm__uniform(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

uint64_t rm__retry_delay_ms(const rm_retry_policy_t *policy, uint32_t attempt,
                            uint64_t *rng) {
    double delay = policy->initial_delay_ms;
    for (uint32_t i = 1; i < attempt && delay < 1e12; i++)
        delay *= policy->multiplier;
    if (policy->max_delay_ms && delay > policy->max_delay_ms)
        delay = policy->max_delay_ms;
    if (delay > 1e12) delay = 1e12; /* ~30 years: "never" without overflow */
    /* Jitter j: the last fraction j of the delay is random, so delays stay
     * within [d(1-j), d] — spread out, never above the cap. */
    if (policy->jitter > 0 && rng)
        delay -= delay * policy->jitter * rm__uniform(rng);
    return (uint64_t)(delay + 0.5);
}
