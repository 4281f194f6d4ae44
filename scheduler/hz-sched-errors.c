#include "hz-sched-errors.h"

#include <string.h>

G_DEFINE_QUARK (hz-sched-error-quark, hz_sched_error)

static const HzSchedErrorInfo error_table[HZ_SCHED_ERROR_COUNT] = {
  [HZ_SCHED_ERROR_UNAUTHORIZED] = {
    "unauthorized", 401,
    "身份验证失败，请在 Authorization 请求头中提供有效的 API 密钥。",
    "Authentication failed: send a valid API key in the Authorization header.",
  },
  [HZ_SCHED_ERROR_FORBIDDEN] = {
    "forbidden", 403,
    "您的账号角色无权执行此操作。",
    "Your role does not allow this action.",
  },
  [HZ_SCHED_ERROR_NOT_PARTICIPANT] = {
    "not_participant", 403,
    "您不是本次会诊的参与者，无法加入。",
    "You are not a participant of this session.",
  },
  [HZ_SCHED_ERROR_NOT_FOUND] = {
    "not_found", 404,
    "请求的内容不存在，或您无权查看。",
    "The requested resource does not exist or is not visible to you.",
  },
  [HZ_SCHED_ERROR_METHOD_NOT_ALLOWED] = {
    "method_not_allowed", 405,
    "该地址不支持此请求方法。",
    "This method is not allowed for this path.",
  },
  [HZ_SCHED_ERROR_SLOT_TAKEN] = {
    "slot_taken", 409,
    "该专家在此时间段已有会诊安排，请选择其他时间。",
    "The expert already has a session in this time slot. Choose another time.",
  },
  [HZ_SCHED_ERROR_INVALID_STATE] = {
    "invalid_state", 409,
    "该会诊或教学活动当前的状态不允许此操作。",
    "The current status of this consultation or teaching session does not allow this action.",
  },
  [HZ_SCHED_ERROR_SESSION_ENDED] = {
    "session_ended", 409,
    "本次会诊的时段已结束，无法再加入。",
    "This session has ended and can no longer be joined.",
  },
  [HZ_SCHED_ERROR_BODY_TOO_LARGE] = {
    "body_too_large", 413,
    "请求内容超过服务器允许的大小上限。",
    "The request body is larger than the server's limit.",
  },
  [HZ_SCHED_ERROR_INVALID_JSON] = {
    "invalid_json", 400,
    "请求内容不是有效的 JSON 对象。",
    "The request body is not a valid JSON object.",
  },
  [HZ_SCHED_ERROR_INVALID_FIELD] = {
    "invalid_field", 400,
    "请求中的字段缺失或无效。",
    "A request field is missing or invalid.",
  },
  [HZ_SCHED_ERROR_INVALID_TIME] = {
    "invalid_time", 400,
    "时间无效：请使用带时区偏移的 RFC 3339 格式（例如 2025-03-01T09:00:00+08:00），且开始时间须早于结束时间。",
    "Invalid time: use RFC 3339 with an offset (for example 2025-03-01T09:00:00+08:00), with the start before the end.",
  },
  [HZ_SCHED_ERROR_DATABASE_BUSY] = {
    "database_busy", 503,
    "服务器繁忙，请稍后重试。",
    "The server is busy. Try again in a few seconds.",
  },
  [HZ_SCHED_ERROR_INTERNAL] = {
    "internal_error", 500,
    "服务器内部错误，请稍后重试；如问题持续，请联系系统管理员。",
    "Internal server error. Try again later, and contact the administrator if it persists.",
  },
  [HZ_SCHED_ERROR_INVALID_TRANSITION] = {
    "invalid_transition", 409,
    "会诊当前的状态不允许这一步流转。",
    "The consultation's current status does not allow this transition.",
  },
  [HZ_SCHED_ERROR_SESSION_NOT_STARTED] = {
    "session_not_started", 409,
    "会诊尚未到开始时间，不能标记为未到诊。",
    "The session has not started yet, so it cannot be marked as a no-show.",
  },
  [HZ_SCHED_ERROR_REPORT_MISSING] = {
    "report_missing", 409,
    "会诊意见尚未撰写，请先保存草稿再签署。",
    "There is no draft opinion yet. Save a draft before signing.",
  },
  [HZ_SCHED_ERROR_REPORT_SIGNED] = {
    "report_signed", 409,
    "会诊意见已签署，不能再修改；如需补充，请添加补充意见。",
    "The opinion is signed and cannot change. Add an amendment instead.",
  },
  [HZ_SCHED_ERROR_REPORT_NOT_SIGNED] = {
    "report_not_signed", 409,
    "会诊意见尚未签署，请直接修改草稿。",
    "The opinion is not signed yet. Edit the draft instead.",
  },
  [HZ_SCHED_ERROR_INVALID_CREDENTIALS] = {
    "invalid_credentials", 401,
    "用户名或密码错误。",
    "Wrong login name or password.",
  },
  [HZ_SCHED_ERROR_TOO_MANY_ATTEMPTS] = {
    "too_many_attempts", 429,
    "登录失败次数过多，请在 Retry-After 所示的秒数后重试。",
    "Too many failed logins. Try again after the number of seconds in Retry-After.",
  },
  [HZ_SCHED_ERROR_RATE_LIMITED] = {
    "rate_limited", 429,
    "请求过于频繁，已超过该 API 密钥或账号的速率上限，请在 Retry-After 所示的秒数后重试。",
    "Too many requests for this API key or account. Try again after the number of seconds in "
    "Retry-After.",
  },
  [HZ_SCHED_ERROR_TOO_MANY_CONNECTIONS] = {
    "too_many_connections", 429,
    "来自同一网络地址的并发连接过多，请稍后重试。",
    "Too many open connections from this network address. Try again in a moment.",
  },
  [HZ_SCHED_ERROR_LOGIN_TAKEN] = {
    "login_taken", 409,
    "该用户名已被其他账号使用。",
    "This login name belongs to another account.",
  },
  [HZ_SCHED_ERROR_TOO_SHORT_NOTICE] = {
    "too_short_notice", 422,
    "预约时间距现在太近，未满足该专家要求的最短提前预约时间。",
    "The start is sooner than the expert's minimum notice allows. Choose a later time.",
  },
  [HZ_SCHED_ERROR_OUTSIDE_WORKING_HOURS] = {
    "outside_working_hours", 422,
    "该时段不在专家的工作时间内，请通过可预约时段查询选择时间。",
    "The time is outside the expert's working hours. Choose a time from the slot search.",
  },
  [HZ_SCHED_ERROR_PUBLIC_HOLIDAY] = {
    "public_holiday", 422,
    "该时段落在法定节假日，专家不出诊。",
    "The time falls on a public holiday, when the expert does not work.",
  },
  [HZ_SCHED_ERROR_EXPERT_ON_LEAVE] = {
    "expert_on_leave", 409,
    "专家在该时段请假或有其他安排，无法预约。",
    "The expert is on leave or otherwise absent at this time.",
  },
  [HZ_SCHED_ERROR_TEACHING_CONFLICT] = {
    "teaching_conflict", 409,
    "教学活动的某一场次与主讲人的其他安排冲突。",
    "An occurrence of the teaching session conflicts with the presenter's other sessions.",
  },
  [HZ_SCHED_ERROR_REGISTRATION_CLOSED] = {
    "registration_closed", 409,
    "该教学活动已结束或已取消，不能再报名。",
    "This teaching session has ended or was cancelled, so registration is closed.",
  },
  [HZ_SCHED_ERROR_NOT_REGISTERED] = {
    "not_registered", 404,
    "您没有报名该教学活动。",
    "You are not registered for this teaching session.",
  },
  [HZ_SCHED_ERROR_INVALID_SIGNATURE] = {
    "invalid_signature", 401,
    "中继的请求签名无效或已过期：请确认中继与调度服务读取同一个 token-secret-file，且两台机器的时钟一致。",
    "The relay's request signature is invalid or expired. Check that the relay and the "
    "scheduler read the same token-secret-file and that their clocks agree.",
  },
  [HZ_SCHED_ERROR_RECORDING_FINISHED] = {
    "recording_finished", 409,
    "该录像已结束（已完成、失败或中断），其状态不能再更改。",
    "The recording has already ended (complete, failed or interrupted), so its status "
    "cannot change.",
  },
  [HZ_SCHED_ERROR_RECORDING_PATH_TAKEN] = {
    "recording_path_taken", 409,
    "该录像路径已属于另一会话、参会者或轨道类型的录像。",
    "This recording path already belongs to a recording of another session, participant "
    "or kind.",
  },
  [HZ_SCHED_ERROR_RECORDING_NOT_ALLOWED] = {
    "recording_not_allowed", 409,
    "该会话预约时未同意录像，因此不接受录像报告。",
    "The session was booked without recording, so no recording of it is accepted.",
  },
  [HZ_SCHED_ERROR_RECORDING_FORBIDDEN] = {
    "recording_forbidden", 403,
    "您无权查看该录像，或该录像不存在。参会机构的医务人员和获得共享的机构的学员可以查看录像。",
    "You may not see this recording, or it does not exist. Staff of the participating "
    "organizations and trainees of organizations it is shared with may see a recording.",
  },
  [HZ_SCHED_ERROR_RECORDING_FILE_MISSING] = {
    "recording_file_missing", 404,
    "该录像的文件不在录像目录中（可能尚未写入或已被删除）。",
    "The recording's file is not in the recordings directory (not written yet, or deleted).",
  },
  [HZ_SCHED_ERROR_RANGE_NOT_SATISFIABLE] = {
    "range_not_satisfiable", 416,
    "请求的字节范围超出了录像文件的大小。",
    "The requested byte range starts beyond the end of the recording's file.",
  },
  [HZ_SCHED_ERROR_CROSS_ORIGIN] = {
    "cross_origin", 403,
    "该请求来自其他网站，已被拒绝。请在本系统自己的页面中操作。",
    "The request came from another site and was rejected. Use this system's own pages.",
  },
};

const HzSchedErrorInfo *
hz_sched_error_info (HzSchedErrorCode code)
{
  if ((guint) code >= HZ_SCHED_ERROR_COUNT)
    code = HZ_SCHED_ERROR_INTERNAL;
  return &error_table[code];
}

const char *
hz_sched_error_message (HzSchedErrorCode code,
                        HzLanguage       language)
{
  const HzSchedErrorInfo *info = hz_sched_error_info (code);

  return language == HZ_LANGUAGE_EN ? info->message_en : info->message_zh;
}

/* Parses a q-value ("1", "0.8", "0.125", "1.000") into thousandths.
 * Returns -1 when TEXT is not a valid q-value. */
static int
parse_qvalue (const char *text)
{
  int thousandths;
  int scale = 100;

  if (text[0] != '0' && text[0] != '1')
    return -1;
  thousandths = (text[0] - '0') * 1000;

  if (text[1] == '\0')
    return thousandths;
  if (text[1] != '.')
    return -1;

  for (const char *p = text + 2; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) || scale == 0)
        return -1;
      thousandths += (*p - '0') * scale;
      scale /= 10;
    }

  return thousandths <= 1000 ? thousandths : -1;
}

/* Reads one "range;q=..;other=.." element into a new string with its
 * language range and its q-value. Returns FALSE for a malformed element,
 * which the caller skips. */
static gboolean
parse_language_element (const char  *element,
                        char       **range,
                        int         *quality)
{
  g_auto (GStrv) parts = g_strsplit (element, ";", -1);

  if (parts[0] == NULL || *g_strstrip (parts[0]) == '\0')
    return FALSE;

  *quality = 1000;
  for (int i = 1; parts[i] != NULL; i++)
    {
      char *parameter = g_strstrip (parts[i]);

      if (g_ascii_strncasecmp (parameter, "q=", 2) != 0)
        continue;
      *quality = parse_qvalue (parameter + 2);
      if (*quality < 0)
        return FALSE;
    }

  *range = g_strdup (parts[0]);
  return TRUE;
}

static gboolean
range_matches (const char *range,
               const char *language)
{
  gsize length = strlen (language);

  return g_ascii_strncasecmp (range, language, length) == 0 &&
         (range[length] == '\0' || range[length] == '-');
}

HzLanguage
hz_language_from_accept_language (const char *header)
{
  g_auto (GStrv) elements = NULL;
  int best_en = 0, best_zh = 0;
  int first_en = G_MAXINT, first_zh = G_MAXINT;

  if (header == NULL)
    return HZ_LANGUAGE_ZH_CN;

  elements = g_strsplit (header, ",", -1);
  for (int i = 0; elements[i] != NULL; i++)
    {
      g_autofree char *range = NULL;
      int quality;

      if (!parse_language_element (elements[i], &range, &quality) || quality == 0)
        continue;

      if (range_matches (range, "en") && quality >= best_en)
        {
          if (quality > best_en)
            first_en = i;
          best_en = quality;
        }
      else if (range_matches (range, "zh") && quality >= best_zh)
        {
          if (quality > best_zh)
            first_zh = i;
          best_zh = quality;
        }
    }

  if (best_en > best_zh || (best_en > 0 && best_en == best_zh && first_en < first_zh))
    return HZ_LANGUAGE_EN;
  return HZ_LANGUAGE_ZH_CN;
}
