/*
 * vad_frames.c — helper for vad_quality.py: runs our detectors on a mono
 * audio file and prints one line per 30 ms frame:
 *   <segmenter score> <segmenter frame decision> <inside a segment> <RMS>
 * SpeechSegmenter with its defaults (30 ms, threshold 0.7, min speech
 * 100 ms, min silence 300 ms, padding 100 ms), fed 100 ms chunks; RMS is
 * the VADNode energy of the same frame (channel mean).
 * Usage: vad_frames FILE [threshold]
 */
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

#include "energy_vad.h"
#include "segmenter.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [threshold]\n", argv[0]);
        return 2;
    }
    SF_INFO info = {0};
    SNDFILE *file = sf_open(argv[1], SFM_READ, &info);
    if (!file) {
        fprintf(stderr, "%s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    size_t n = (size_t)info.frames;
    float *interleaved = malloc(n * (size_t)info.channels * sizeof(float));
    float *mono = malloc(n * sizeof(float));
    sf_readf_float(file, interleaved, info.frames);
    sf_close(file);
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (int c = 0; c < info.channels; c++)
            sum += interleaved[i * (size_t)info.channels + (size_t)c];
        mono[i] = (float)(sum / info.channels);
    }
    rm_segmenter_config_t cfg = {(uint32_t)info.samplerate, 30,
                                 argc > 2 ? atof(argv[2]) : 0.7,
                                 100, 300, 100, 0, 0};
    char error[128];
    rm_segmenter_t *s = rm_segmenter_create(&cfg, error, sizeof error);
    if (!s) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    size_t frame = rm_segmenter_frame_length(s);
    size_t frames = n / frame;
    float *scores = malloc((frames + 1) * sizeof(float));
    unsigned char *decisions = malloc(frames + 1);
    size_t done = 0, chunk = (size_t)info.samplerate / 10;
    for (size_t at = 0; at < n; at += chunk) {
        rm_segmenter_push(s, mono + at, n - at < chunk ? n - at : chunk);
        size_t count = rm_segmenter_frame_count(s);
        for (size_t i = 0; i < count && done < frames; i++, done++) {
            scores[done] = rm_segmenter_scores(s)[i];
            decisions[done] = rm_segmenter_decisions(s)[i];
        }
    }
    rm_segmenter_finish(s);
    size_t segment_count = 0;
    const rm_segment_t *segments = rm_segmenter_segments(s, &segment_count,
                                                         NULL);
    for (size_t f = 0; f < frames; f++) {
        double mid = ((double)f + 0.5) * frame / info.samplerate;
        int inside = 0;
        for (size_t k = 0; k < segment_count; k++)
            if (mid >= segments[k].start_s && mid < segments[k].end_s)
                inside = 1;
        printf("%.5f %d %d %.6g\n", scores[f], decisions[f], inside,
               rm_vad_rms_f32(mono + f * frame, frame));
    }
    rm_segmenter_destroy(s);
    free(interleaved);
    free(mono);
    free(scores);
    free(decisions);
    return 0;
}
