package io.zeroframe.v4l2.internal;

import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.videodev2.videodev2_h;

/** The V4L2 ioctl requests the module uses, each with its kernel name (numbers from the generated videodev2.h bindings). */
public final class V4l2Ioctls {
    private V4l2Ioctls() {}

    public static final IoctlRequest VIDIOC_CREATE_BUFS = IoctlRequest.of("VIDIOC_CREATE_BUFS", videodev2_h.VIDIOC_CREATE_BUFS());
    public static final IoctlRequest VIDIOC_DECODER_CMD = IoctlRequest.of("VIDIOC_DECODER_CMD", videodev2_h.VIDIOC_DECODER_CMD());
    public static final IoctlRequest VIDIOC_DQBUF = IoctlRequest.of("VIDIOC_DQBUF", videodev2_h.VIDIOC_DQBUF());
    public static final IoctlRequest VIDIOC_DQEVENT = IoctlRequest.of("VIDIOC_DQEVENT", videodev2_h.VIDIOC_DQEVENT());
    public static final IoctlRequest VIDIOC_DV_TIMINGS_CAP = IoctlRequest.of("VIDIOC_DV_TIMINGS_CAP", videodev2_h.VIDIOC_DV_TIMINGS_CAP());
    public static final IoctlRequest VIDIOC_ENCODER_CMD = IoctlRequest.of("VIDIOC_ENCODER_CMD", videodev2_h.VIDIOC_ENCODER_CMD());
    public static final IoctlRequest VIDIOC_ENUMINPUT = IoctlRequest.of("VIDIOC_ENUMINPUT", videodev2_h.VIDIOC_ENUMINPUT());
    public static final IoctlRequest VIDIOC_ENUMOUTPUT = IoctlRequest.of("VIDIOC_ENUMOUTPUT", videodev2_h.VIDIOC_ENUMOUTPUT());
    public static final IoctlRequest VIDIOC_ENUMSTD = IoctlRequest.of("VIDIOC_ENUMSTD", videodev2_h.VIDIOC_ENUMSTD());
    public static final IoctlRequest VIDIOC_ENUM_DV_TIMINGS = IoctlRequest.of("VIDIOC_ENUM_DV_TIMINGS", videodev2_h.VIDIOC_ENUM_DV_TIMINGS());
    public static final IoctlRequest VIDIOC_ENUM_FMT = IoctlRequest.of("VIDIOC_ENUM_FMT", videodev2_h.VIDIOC_ENUM_FMT());
    public static final IoctlRequest VIDIOC_ENUM_FRAMEINTERVALS = IoctlRequest.of("VIDIOC_ENUM_FRAMEINTERVALS", videodev2_h.VIDIOC_ENUM_FRAMEINTERVALS());
    public static final IoctlRequest VIDIOC_ENUM_FRAMESIZES = IoctlRequest.of("VIDIOC_ENUM_FRAMESIZES", videodev2_h.VIDIOC_ENUM_FRAMESIZES());
    public static final IoctlRequest VIDIOC_EXPBUF = IoctlRequest.of("VIDIOC_EXPBUF", videodev2_h.VIDIOC_EXPBUF());
    public static final IoctlRequest VIDIOC_G_DV_TIMINGS = IoctlRequest.of("VIDIOC_G_DV_TIMINGS", videodev2_h.VIDIOC_G_DV_TIMINGS());
    public static final IoctlRequest VIDIOC_G_EXT_CTRLS = IoctlRequest.of("VIDIOC_G_EXT_CTRLS", videodev2_h.VIDIOC_G_EXT_CTRLS());
    public static final IoctlRequest VIDIOC_G_FMT = IoctlRequest.of("VIDIOC_G_FMT", videodev2_h.VIDIOC_G_FMT());
    public static final IoctlRequest VIDIOC_G_INPUT = IoctlRequest.of("VIDIOC_G_INPUT", videodev2_h.VIDIOC_G_INPUT());
    public static final IoctlRequest VIDIOC_G_OUTPUT = IoctlRequest.of("VIDIOC_G_OUTPUT", videodev2_h.VIDIOC_G_OUTPUT());
    public static final IoctlRequest VIDIOC_G_PARM = IoctlRequest.of("VIDIOC_G_PARM", videodev2_h.VIDIOC_G_PARM());
    public static final IoctlRequest VIDIOC_G_PRIORITY = IoctlRequest.of("VIDIOC_G_PRIORITY", videodev2_h.VIDIOC_G_PRIORITY());
    public static final IoctlRequest VIDIOC_G_SELECTION = IoctlRequest.of("VIDIOC_G_SELECTION", videodev2_h.VIDIOC_G_SELECTION());
    public static final IoctlRequest VIDIOC_G_STD = IoctlRequest.of("VIDIOC_G_STD", videodev2_h.VIDIOC_G_STD());
    public static final IoctlRequest VIDIOC_PREPARE_BUF = IoctlRequest.of("VIDIOC_PREPARE_BUF", videodev2_h.VIDIOC_PREPARE_BUF());
    public static final IoctlRequest VIDIOC_QBUF = IoctlRequest.of("VIDIOC_QBUF", videodev2_h.VIDIOC_QBUF());
    public static final IoctlRequest VIDIOC_QUERYBUF = IoctlRequest.of("VIDIOC_QUERYBUF", videodev2_h.VIDIOC_QUERYBUF());
    public static final IoctlRequest VIDIOC_QUERYCAP = IoctlRequest.of("VIDIOC_QUERYCAP", videodev2_h.VIDIOC_QUERYCAP());
    public static final IoctlRequest VIDIOC_QUERYMENU = IoctlRequest.of("VIDIOC_QUERYMENU", videodev2_h.VIDIOC_QUERYMENU());
    public static final IoctlRequest VIDIOC_QUERYSTD = IoctlRequest.of("VIDIOC_QUERYSTD", videodev2_h.VIDIOC_QUERYSTD());
    public static final IoctlRequest VIDIOC_QUERY_DV_TIMINGS = IoctlRequest.of("VIDIOC_QUERY_DV_TIMINGS", videodev2_h.VIDIOC_QUERY_DV_TIMINGS());
    public static final IoctlRequest VIDIOC_QUERY_EXT_CTRL = IoctlRequest.of("VIDIOC_QUERY_EXT_CTRL", videodev2_h.VIDIOC_QUERY_EXT_CTRL());
    public static final IoctlRequest VIDIOC_REQBUFS = IoctlRequest.of("VIDIOC_REQBUFS", videodev2_h.VIDIOC_REQBUFS());
    public static final IoctlRequest VIDIOC_STREAMOFF = IoctlRequest.of("VIDIOC_STREAMOFF", videodev2_h.VIDIOC_STREAMOFF());
    public static final IoctlRequest VIDIOC_STREAMON = IoctlRequest.of("VIDIOC_STREAMON", videodev2_h.VIDIOC_STREAMON());
    public static final IoctlRequest VIDIOC_SUBSCRIBE_EVENT = IoctlRequest.of("VIDIOC_SUBSCRIBE_EVENT", videodev2_h.VIDIOC_SUBSCRIBE_EVENT());
    public static final IoctlRequest VIDIOC_S_DV_TIMINGS = IoctlRequest.of("VIDIOC_S_DV_TIMINGS", videodev2_h.VIDIOC_S_DV_TIMINGS());
    public static final IoctlRequest VIDIOC_S_EXT_CTRLS = IoctlRequest.of("VIDIOC_S_EXT_CTRLS", videodev2_h.VIDIOC_S_EXT_CTRLS());
    public static final IoctlRequest VIDIOC_S_FMT = IoctlRequest.of("VIDIOC_S_FMT", videodev2_h.VIDIOC_S_FMT());
    public static final IoctlRequest VIDIOC_S_INPUT = IoctlRequest.of("VIDIOC_S_INPUT", videodev2_h.VIDIOC_S_INPUT());
    public static final IoctlRequest VIDIOC_S_OUTPUT = IoctlRequest.of("VIDIOC_S_OUTPUT", videodev2_h.VIDIOC_S_OUTPUT());
    public static final IoctlRequest VIDIOC_S_PARM = IoctlRequest.of("VIDIOC_S_PARM", videodev2_h.VIDIOC_S_PARM());
    public static final IoctlRequest VIDIOC_S_PRIORITY = IoctlRequest.of("VIDIOC_S_PRIORITY", videodev2_h.VIDIOC_S_PRIORITY());
    public static final IoctlRequest VIDIOC_S_SELECTION = IoctlRequest.of("VIDIOC_S_SELECTION", videodev2_h.VIDIOC_S_SELECTION());
    public static final IoctlRequest VIDIOC_S_STD = IoctlRequest.of("VIDIOC_S_STD", videodev2_h.VIDIOC_S_STD());
    public static final IoctlRequest VIDIOC_TRY_EXT_CTRLS = IoctlRequest.of("VIDIOC_TRY_EXT_CTRLS", videodev2_h.VIDIOC_TRY_EXT_CTRLS());
    public static final IoctlRequest VIDIOC_TRY_FMT = IoctlRequest.of("VIDIOC_TRY_FMT", videodev2_h.VIDIOC_TRY_FMT());
    public static final IoctlRequest VIDIOC_UNSUBSCRIBE_EVENT = IoctlRequest.of("VIDIOC_UNSUBSCRIBE_EVENT", videodev2_h.VIDIOC_UNSUBSCRIBE_EVENT());

    public static final IoctlRequest VIDIOC_REMOVE_BUFS = IoctlRequest.of("VIDIOC_REMOVE_BUFS", videodev2_h.VIDIOC_REMOVE_BUFS());
}
