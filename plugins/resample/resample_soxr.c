/* resample_soxr.c — the libsoxr engine (see resample_engine.h): soxr reads
 * every input format and layout natively and writes into the FIFO. */
#include <soxr.h>

#include "resample_engine.h"

static soxr_datatype_t soxr_type_of(uint32_t sample_format, int planar) {
    soxr_datatype_t type;
    switch (sample_format) {
    case RM_SAMPLE_F64: type = SOXR_FLOAT64_I; break;
    case RM_SAMPLE_I32: type = SOXR_INT32_I; break;
    case RM_SAMPLE_I16: type = SOXR_INT16_I; break;
    default: type = SOXR_FLOAT32_I; break;
    }
    return planar ? (soxr_datatype_t)(type + SOXR_SPLIT) : type;
}

static void *soxr_engine_create(const rm_resampler_config_t *cfg,
                                uint32_t output_format, char *error,
                                size_t error_len) {
    static const unsigned long recipes[] = {SOXR_LQ, SOXR_MQ, SOXR_HQ,
                                            SOXR_VHQ};
    static const unsigned long phases[] = {
        SOXR_LINEAR_PHASE, SOXR_INTERMEDIATE_PHASE, SOXR_MINIMUM_PHASE};
    int planar = cfg->layout == RM_LAYOUT_PLANAR;
    soxr_io_spec_t io = soxr_io_spec(soxr_type_of(cfg->sample_format, planar),
                                     soxr_type_of(output_format, planar));
    soxr_quality_spec_t quality =
        soxr_quality_spec(recipes[cfg->quality] | phases[cfg->phase], 0);
    soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    soxr_error_t soxr_error = NULL;
    soxr_t soxr = soxr_create(cfg->in_rate, cfg->out_rate, cfg->channels,
                              &soxr_error, &io, &quality, &runtime);
    if (!soxr || soxr_error) {
        rm_resample_error(error, error_len,
                          "libsoxr cannot resample %u -> %u Hz: %s",
                          cfg->in_rate, cfg->out_rate,
                          soxr_error ? soxr_error : "unknown error");
        if (soxr) soxr_delete(soxr);
        return NULL;
    }
    return soxr;
}

/* One soxr call per loop; input NULL drains. */
static int soxr_engine_run(void *state, const rm_resampler_config_t *cfg,
                           rm_resample_fifo_t *fifo, const void *input,
                           size_t frames, char *error, size_t error_len) {
    soxr_t soxr = state;
    size_t in_bytes = rm_sample_size(cfg->sample_format);
    size_t consumed = 0;
    const void *in_planes[RM_MAX_CHANNELS];
    void *out_planes[RM_MAX_CHANNELS];
    int planar = cfg->layout == RM_LAYOUT_PLANAR;
    for (int guard = 0; guard < 1 << 20; guard++) {
        if (rm_resample_fifo_reserve(
                fifo, rm_resample_output_estimate(cfg, frames - consumed))) {
            rm_resample_error(error, error_len, "out of memory");
            return -1;
        }
        size_t room = rm_resample_fifo_room(fifo);
        for (uint32_t c = 0; c < cfg->channels; c++) {
            out_planes[c] = rm_resample_fifo_end(fifo, c);
            if (input && planar)
                in_planes[c] = (const unsigned char *)input +
                               ((size_t)c * frames + consumed) * in_bytes;
        }
        const void *in_arg =
            !input ? NULL
                   : planar ? (const void *)in_planes
                            : (const void *)((const unsigned char *)input +
                                             consumed * in_bytes *
                                                 cfg->channels);
        void *out_arg = planar ? (void *)out_planes : out_planes[0];
        size_t idone = 0, odone = 0;
        soxr_error_t soxr_error =
            soxr_process(soxr, in_arg, input ? frames - consumed : 0,
                         input ? &idone : NULL, out_arg, room, &odone);
        if (soxr_error) {
            rm_resample_error(error, error_len, "libsoxr: %s", soxr_error);
            return -1;
        }
        consumed += idone;
        fifo->frames += odone;
        int input_done = !input || consumed == frames;
        if (input_done && odone < room) return 0;
        if (input && idone == 0 && odone == 0) break;
    }
    rm_resample_error(error, error_len, "libsoxr made no progress");
    return -1;
}

static void soxr_engine_destroy(void *state) { soxr_delete(state); }

const rm_resample_engine_t rm_resample_soxr_engine = {
    soxr_engine_create, soxr_engine_run, soxr_engine_destroy};
