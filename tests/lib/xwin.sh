# xwin.sh -- what the Xvfb tests share (sourced by tests/ui/xvfb_smoke.sh,
# tests/abuse/app_abuse.sh and tests/lecture/xvfb_lecture.sh, inside xvfb-run).
#
# The test starts the app in the background and sets PID; xwin_find then
# sets WID to its window. title/wait_title read the window title (how the
# tests tell which scenario, slide or stop is on screen); key sends keys to
# the focused window and pauses KEY_PAUSE seconds (default 0.25).

# The X server can still be starting on a loaded machine: wait until it answers.
xwin_wait_server() {
    _i=0
    while ! xdotool getmouselocation >/dev/null 2>&1 && [ $_i -lt 50 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
}

alive() { kill -0 "$PID" 2>/dev/null; }
title() { xdotool getwindowname "$WID" 2>/dev/null; }

# wait_title SUBSTRING SECONDS: 0 once the title contains SUBSTRING.
wait_title() {
    _i=0
    while [ $_i -lt $(($2 * 10)) ]; do
        case "$(title)" in *"$1"*) return 0 ;; esac
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}

key() { xdotool key --clearmodifiers "$@"; sleep "${KEY_PAUSE:-0.25}"; }

# Sets WID to loopscope's window (within 30 s) and focuses it; 1 if none.
# By WM_CLASS first: a UTF8_STRING title is not always matched by --name.
xwin_find() {
    WID=""
    _i=0
    while [ -z "$WID" ] && [ $_i -lt 300 ]; do
        WID=$(xdotool search --classname "^loopscope$" 2>/dev/null | head -1)
        [ -z "$WID" ] && WID=$(xdotool search --name "^loopscope" 2>/dev/null | head -1)
        [ -z "$WID" ] && WID=$(xdotool search --class "loopscope" 2>/dev/null | head -1)
        [ -z "$WID" ] && sleep 0.1
        _i=$((_i + 1))
    done
    [ -n "$WID" ] || return 1
    xdotool windowfocus --sync "$WID" 2>/dev/null || xdotool windowfocus "$WID"
    return 0
}
