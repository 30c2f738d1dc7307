/* input_sdl.c -- translating SDL events into the UI's own input record.
 *
 * Keys are read by key code, not by text, so Shift+1 is still "1 with
 * Shift" on every keyboard layout; '?' is recognised both as SDLK_QUESTION
 * and as Shift+slash. Typed text (SDL_TEXTINPUT) is kept separately for the
 * open prompt; app.c enables text input only while the prompt is open.
 *
 * Depends on: input_sdl.h.  Used by: app.c.
 */
#include <string.h>

#include "input_sdl.h"

void input_sdl_begin(UiInput *in)
{
    in->pressed = 0;
    in->released = 0;
    in->wheel_x = 0;
    in->wheel_y = 0;
    in->nkeys = 0;
    in->text[0] = '\0';
    in->drop[0] = '\0';
}

static uint8_t button_bit(int b)
{
    switch (b) {
    case SDL_BUTTON_LEFT: return UI_MOUSE_LEFT;
    case SDL_BUTTON_RIGHT: return UI_MOUSE_RIGHT;
    case SDL_BUTTON_MIDDLE: return UI_MOUSE_MIDDLE;
    default: return 0;
    }
}

static uint8_t mods_of(Uint16 m)
{
    uint8_t r = 0;
    if (m & KMOD_SHIFT)
        r |= UI_MOD_SHIFT;
    if (m & (KMOD_CTRL | KMOD_GUI))
        r |= UI_MOD_CTRL;
    if (m & KMOD_ALT)
        r |= UI_MOD_ALT;
    return r;
}

static void push_key(UiInput *in, uint8_t code, char ch, uint8_t mods)
{
    if (in->nkeys >= UI_MAX_KEYS)
        return;
    in->keys[in->nkeys].code = code;
    in->keys[in->nkeys].ch = ch;
    in->keys[in->nkeys].mods = mods;
    in->nkeys++;
}

static void key(UiInput *in, const SDL_KeyboardEvent *k)
{
    SDL_Keycode sym = k->keysym.sym;
    uint8_t mods = mods_of(k->keysym.mod);
    switch (sym) {
    case SDLK_SPACE: push_key(in, UK_SPACE, 0, mods); return;
    case SDLK_LEFT: push_key(in, UK_LEFT, 0, mods); return;
    case SDLK_RIGHT: push_key(in, UK_RIGHT, 0, mods); return;
    case SDLK_UP: push_key(in, UK_UP, 0, mods); return;
    case SDLK_DOWN: push_key(in, UK_DOWN, 0, mods); return;
    case SDLK_HOME: push_key(in, UK_HOME, 0, mods); return;
    case SDLK_END: push_key(in, UK_END, 0, mods); return;
    case SDLK_PAGEUP: push_key(in, UK_PAGEUP, 0, mods); return;
    case SDLK_PAGEDOWN: push_key(in, UK_PAGEDOWN, 0, mods); return;
    case SDLK_PLUS:
    case SDLK_KP_PLUS:
    case SDLK_EQUALS: push_key(in, UK_PLUS, 0, mods); return;
    case SDLK_MINUS:
    case SDLK_KP_MINUS: push_key(in, UK_MINUS, 0, mods); return;
    case SDLK_ESCAPE: push_key(in, UK_ESCAPE, 0, mods); return;
    case SDLK_RETURN:
    case SDLK_KP_ENTER: push_key(in, UK_ENTER, 0, mods); return;
    case SDLK_BACKSPACE: push_key(in, UK_BACKSPACE, 0, mods); return;
    case SDLK_TAB: push_key(in, UK_TAB, 0, mods); return;
    case SDLK_F1: push_key(in, UK_F1, 0, mods); return;
    case SDLK_F5: push_key(in, UK_F5, 0, mods); return;
    case SDLK_QUESTION: push_key(in, UK_HELP, 0, mods); return;
    case SDLK_SLASH:
        if (mods & UI_MOD_SHIFT)
            push_key(in, UK_HELP, 0, mods);
        return;
    default: break;
    }
    if (sym >= SDLK_a && sym <= SDLK_z)
        push_key(in, UK_CHAR, (char)('a' + (sym - SDLK_a)), mods);
    else if (sym >= SDLK_0 && sym <= SDLK_9)
        push_key(in, UK_CHAR, (char)('0' + (sym - SDLK_0)), mods);
    else if (sym >= SDLK_KP_1 && sym <= SDLK_KP_9)
        push_key(in, UK_CHAR, (char)('1' + (sym - SDLK_KP_1)), mods);
}

bool input_sdl_event(UiInput *in, const SDL_Event *e, float ratio)
{
    if (!(ratio > 0))
        ratio = 1;
    switch (e->type) {
    case SDL_QUIT:
        return true;
    case SDL_MOUSEMOTION:
        in->mx = (int)((float)e->motion.x * ratio);
        in->my = (int)((float)e->motion.y * ratio);
        in->mouse_in = true;
        break;
    case SDL_MOUSEBUTTONDOWN:
        in->mx = (int)((float)e->button.x * ratio);
        in->my = (int)((float)e->button.y * ratio);
        in->down |= button_bit(e->button.button);
        in->pressed |= button_bit(e->button.button);
        in->mouse_in = true;
        break;
    case SDL_MOUSEBUTTONUP:
        in->mx = (int)((float)e->button.x * ratio);
        in->my = (int)((float)e->button.y * ratio);
        in->down &= (uint8_t)~button_bit(e->button.button);
        in->released |= button_bit(e->button.button);
        break;
    case SDL_MOUSEWHEEL: {
        float dy = e->wheel.preciseY, dx = e->wheel.preciseX;
        if (e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED) {
            dy = -dy;
            dx = -dx;
        }
        in->wheel_y += dy;
        in->wheel_x += dx;
        break;
    }
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_LEAVE)
            in->mouse_in = false;
        else if (e->window.event == SDL_WINDOWEVENT_ENTER)
            in->mouse_in = true;
        else if (e->window.event == SDL_WINDOWEVENT_FOCUS_LOST)
            in->down = 0;
        break;
    case SDL_KEYDOWN:
        key(in, &e->key);
        in->mods = mods_of(e->key.keysym.mod);
        if ((e->key.keysym.sym == SDLK_q || e->key.keysym.sym == SDLK_w) && (in->mods & UI_MOD_CTRL))
            return e->key.keysym.sym == SDLK_q;
        break;
    case SDL_KEYUP:
        in->mods = mods_of(e->key.keysym.mod);
        break;
    case SDL_TEXTINPUT: {
        size_t have = strlen(in->text), add = strlen(e->text.text);
        if (have + add < sizeof in->text)
            memcpy(in->text + have, e->text.text, add + 1);
        break;
    }
    case SDL_DROPFILE:
        if (e->drop.file) {
            size_t n = strlen(e->drop.file);
            if (n < sizeof in->drop)
                memcpy(in->drop, e->drop.file, n + 1);
            SDL_free(e->drop.file);
        }
        break;
    default:
        break;
    }
    return false;
}
