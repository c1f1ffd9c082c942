/* Lesson 5: av_frame_get_buffer and av_frame_make_writable.
 *
 * av_frame_get_buffer allocates the picture (one buffer for all planes of a
 * yuv420p frame) from the frame's format, width and height. av_frame_ref
 * shares it: refcount 2, so neither frame may write into it (a memset now is
 * flagged unsafe_write). av_frame_make_writable gives the frame its own copy
 * when the buffer is shared, and does nothing when it is already writable.
 */
void frame_make_writable() {
    AVFrame *frame = av_frame_alloc();
    AVFrame *ref = av_frame_alloc();
    int ret = 0;

    frame->format = AV_PIX_FMT_YUV420P;
    frame->width = 64;
    frame->height = 48;
    ret = av_frame_get_buffer(frame, 0);
    ret = av_frame_make_writable(frame);              // already writable: no copy
    memset(frame->data[0], 16, frame->linesize[0] * frame->height);

    ret = av_frame_ref(ref, frame);                   // shared: refcount 2
    memset(frame->data[0], 235, frame->linesize[0]);  // unsafe: ref sees it
    ret = av_frame_make_writable(frame);              // frame gets its own copy
    memset(frame->data[0], 128, frame->linesize[0]);  // safe now

    av_frame_unref(ref);
    av_frame_free(&ref);
    av_frame_free(&frame);
}
