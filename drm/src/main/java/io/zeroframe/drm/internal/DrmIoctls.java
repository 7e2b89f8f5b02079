package io.zeroframe.drm.internal;

import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.sys.IoctlRequest;

/** The DRM ioctl requests the module uses, each with its kernel name (numbers from the generated drm.h bindings). */
public final class DrmIoctls {
    private DrmIoctls() {}

    public static final IoctlRequest DRM_IOCTL_VERSION = IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());
    public static final IoctlRequest DRM_IOCTL_GET_CAP = IoctlRequest.of("DRM_IOCTL_GET_CAP", drm_h.DRM_IOCTL_GET_CAP());
    public static final IoctlRequest DRM_IOCTL_SET_CLIENT_CAP = IoctlRequest.of("DRM_IOCTL_SET_CLIENT_CAP", drm_h.DRM_IOCTL_SET_CLIENT_CAP());
    public static final IoctlRequest DRM_IOCTL_SET_MASTER = IoctlRequest.of("DRM_IOCTL_SET_MASTER", drm_h.DRM_IOCTL_SET_MASTER());
    public static final IoctlRequest DRM_IOCTL_DROP_MASTER = IoctlRequest.of("DRM_IOCTL_DROP_MASTER", drm_h.DRM_IOCTL_DROP_MASTER());
    public static final IoctlRequest DRM_IOCTL_GEM_CLOSE = IoctlRequest.of("DRM_IOCTL_GEM_CLOSE", drm_h.DRM_IOCTL_GEM_CLOSE());
    public static final IoctlRequest DRM_IOCTL_PRIME_HANDLE_TO_FD = IoctlRequest.of("DRM_IOCTL_PRIME_HANDLE_TO_FD", drm_h.DRM_IOCTL_PRIME_HANDLE_TO_FD());
    public static final IoctlRequest DRM_IOCTL_PRIME_FD_TO_HANDLE = IoctlRequest.of("DRM_IOCTL_PRIME_FD_TO_HANDLE", drm_h.DRM_IOCTL_PRIME_FD_TO_HANDLE());
    public static final IoctlRequest DRM_IOCTL_MODE_GETRESOURCES = IoctlRequest.of("DRM_IOCTL_MODE_GETRESOURCES", drm_h.DRM_IOCTL_MODE_GETRESOURCES());
    public static final IoctlRequest DRM_IOCTL_MODE_GETCRTC = IoctlRequest.of("DRM_IOCTL_MODE_GETCRTC", drm_h.DRM_IOCTL_MODE_GETCRTC());
    public static final IoctlRequest DRM_IOCTL_MODE_SETCRTC = IoctlRequest.of("DRM_IOCTL_MODE_SETCRTC", drm_h.DRM_IOCTL_MODE_SETCRTC());
    public static final IoctlRequest DRM_IOCTL_MODE_GETENCODER = IoctlRequest.of("DRM_IOCTL_MODE_GETENCODER", drm_h.DRM_IOCTL_MODE_GETENCODER());
    public static final IoctlRequest DRM_IOCTL_MODE_GETCONNECTOR = IoctlRequest.of("DRM_IOCTL_MODE_GETCONNECTOR", drm_h.DRM_IOCTL_MODE_GETCONNECTOR());
    public static final IoctlRequest DRM_IOCTL_MODE_GETPROPERTY = IoctlRequest.of("DRM_IOCTL_MODE_GETPROPERTY", drm_h.DRM_IOCTL_MODE_GETPROPERTY());
    public static final IoctlRequest DRM_IOCTL_MODE_GETPROPBLOB = IoctlRequest.of("DRM_IOCTL_MODE_GETPROPBLOB", drm_h.DRM_IOCTL_MODE_GETPROPBLOB());
    public static final IoctlRequest DRM_IOCTL_MODE_ADDFB2 = IoctlRequest.of("DRM_IOCTL_MODE_ADDFB2", drm_h.DRM_IOCTL_MODE_ADDFB2());
    public static final IoctlRequest DRM_IOCTL_MODE_RMFB = IoctlRequest.of("DRM_IOCTL_MODE_RMFB", drm_h.DRM_IOCTL_MODE_RMFB());
    public static final IoctlRequest DRM_IOCTL_MODE_PAGE_FLIP = IoctlRequest.of("DRM_IOCTL_MODE_PAGE_FLIP", drm_h.DRM_IOCTL_MODE_PAGE_FLIP());
    public static final IoctlRequest DRM_IOCTL_MODE_CREATE_DUMB = IoctlRequest.of("DRM_IOCTL_MODE_CREATE_DUMB", drm_h.DRM_IOCTL_MODE_CREATE_DUMB());
    public static final IoctlRequest DRM_IOCTL_MODE_MAP_DUMB = IoctlRequest.of("DRM_IOCTL_MODE_MAP_DUMB", drm_h.DRM_IOCTL_MODE_MAP_DUMB());
    public static final IoctlRequest DRM_IOCTL_MODE_DESTROY_DUMB = IoctlRequest.of("DRM_IOCTL_MODE_DESTROY_DUMB", drm_h.DRM_IOCTL_MODE_DESTROY_DUMB());
    public static final IoctlRequest DRM_IOCTL_MODE_GETPLANERESOURCES = IoctlRequest.of("DRM_IOCTL_MODE_GETPLANERESOURCES", drm_h.DRM_IOCTL_MODE_GETPLANERESOURCES());
    public static final IoctlRequest DRM_IOCTL_MODE_GETPLANE = IoctlRequest.of("DRM_IOCTL_MODE_GETPLANE", drm_h.DRM_IOCTL_MODE_GETPLANE());
    public static final IoctlRequest DRM_IOCTL_MODE_SETPLANE = IoctlRequest.of("DRM_IOCTL_MODE_SETPLANE", drm_h.DRM_IOCTL_MODE_SETPLANE());
    public static final IoctlRequest DRM_IOCTL_MODE_OBJ_GETPROPERTIES = IoctlRequest.of("DRM_IOCTL_MODE_OBJ_GETPROPERTIES", drm_h.DRM_IOCTL_MODE_OBJ_GETPROPERTIES());
    public static final IoctlRequest DRM_IOCTL_MODE_ATOMIC = IoctlRequest.of("DRM_IOCTL_MODE_ATOMIC", drm_h.DRM_IOCTL_MODE_ATOMIC());
    public static final IoctlRequest DRM_IOCTL_MODE_CREATEPROPBLOB = IoctlRequest.of("DRM_IOCTL_MODE_CREATEPROPBLOB", drm_h.DRM_IOCTL_MODE_CREATEPROPBLOB());
    public static final IoctlRequest DRM_IOCTL_WAIT_VBLANK = IoctlRequest.of("DRM_IOCTL_WAIT_VBLANK", drm_h.DRM_IOCTL_WAIT_VBLANK());
    public static final IoctlRequest DRM_IOCTL_CRTC_GET_SEQUENCE = IoctlRequest.of("DRM_IOCTL_CRTC_GET_SEQUENCE", drm_h.DRM_IOCTL_CRTC_GET_SEQUENCE());
    public static final IoctlRequest DRM_IOCTL_CRTC_QUEUE_SEQUENCE = IoctlRequest.of("DRM_IOCTL_CRTC_QUEUE_SEQUENCE", drm_h.DRM_IOCTL_CRTC_QUEUE_SEQUENCE());
    public static final IoctlRequest DRM_IOCTL_MODE_DESTROYPROPBLOB = IoctlRequest.of("DRM_IOCTL_MODE_DESTROYPROPBLOB", drm_h.DRM_IOCTL_MODE_DESTROYPROPBLOB());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_CREATE = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_CREATE", drm_h.DRM_IOCTL_SYNCOBJ_CREATE());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_DESTROY = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_DESTROY", drm_h.DRM_IOCTL_SYNCOBJ_DESTROY());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD", drm_h.DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE", drm_h.DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_WAIT = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_WAIT", drm_h.DRM_IOCTL_SYNCOBJ_WAIT());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_RESET = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_RESET", drm_h.DRM_IOCTL_SYNCOBJ_RESET());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_SIGNAL = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_SIGNAL", drm_h.DRM_IOCTL_SYNCOBJ_SIGNAL());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT", drm_h.DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_QUERY = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_QUERY", drm_h.DRM_IOCTL_SYNCOBJ_QUERY());
    public static final IoctlRequest DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL = IoctlRequest.of("DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL", drm_h.DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL());
}
