"use client";
// The rules in an antd Table; a new rule in a Form under it, a rule edited in a Modal with the same
// fields (saving is possible once something changed, which the dialog says; closing it with changes asks
// first), deleting asks first. The fields are checked in the browser with Chinese messages before
// anything is sent; every change goes through /api/admin/auto-replies, its answer is a toast, and the
// page is refreshed from the server afterwards.
import {
  App,
  Button,
  Form,
  Input,
  Modal,
  Radio,
  Switch,
  Table,
  Tag,
  type FormInstance,
  type TableColumnsType,
} from "antd";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { formatShanghaiTime } from "@/lib/admin/user-query";

export interface RuleView {
  id: string;
  kind: "subscribe" | "keyword";
  keyword: string;
  match: "exact" | "contains";
  reply: string;
  enabled: boolean;
  updatedAt: string;
}

type Draft = Omit<RuleView, "id" | "updatedAt">;

const EMPTY: Draft = { kind: "keyword", keyword: "", match: "exact", reply: "", enabled: true };
/** WeChat caps a passive text reply at 2048 bytes (lib/messages/auto-replies.ts, MAX_REPLY_BYTES). */
const MAX_REPLY_BYTES = 2048;
const KEYWORD_MAX = 60;
const bytes = (text: string) => new TextEncoder().encode(text).length;
const KIND = { subscribe: "关注后回复", keyword: "关键词回复" } as const;
const MATCH = { exact: "完全匹配", contains: "包含" } as const;

/** What the form holds, as the API takes it (a subscribe rule has no keyword). */
function draftOf(values: Partial<Draft>): Draft {
  const draft = { ...EMPTY, ...values };
  return draft.kind === "subscribe" ? { ...draft, keyword: "", match: "exact" } : draft;
}

const sameDraft = (a: Draft, b: Draft) => JSON.stringify(draftOf(a)) === JSON.stringify(draftOf(b));

export function AutoReplyEditor({ rules, canEdit }: { rules: RuleView[]; canEdit: boolean }) {
  const router = useRouter();
  const { message, modal } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<RuleView | null>(null);
  const subscribeRule = rules.find((r) => r.kind === "subscribe");

  /** Sends a change; true when it went through (a toast says so either way). */
  async function send(url: string, method: string, body: Draft | undefined, done: string): Promise<boolean> {
    setBusy(true);
    const answer = await consoleFetch(url, { method, body });
    setBusy(false);
    if (answer.kind === "error") {
      void message.error({
        content: (
          <span data-testid="auto-reply-error" role="alert">
            {answer.message}
          </span>
        ),
        duration: 8,
      });
      return false;
    }
    if (answer.kind === "gone") return false;
    void message.success({ content: <span data-testid="auto-reply-done">{done}</span>, duration: 3 });
    router.refresh();
    return true;
  }

  function confirmDelete(rule: RuleView) {
    modal.confirm({
      title: rule.kind === "subscribe" ? "删除关注后回复？" : `删除关键词“${rule.keyword}”的回复？`,
      content: "删除后，粉丝再发这个关键词（或关注）时不会再收到这条回复。",
      okText: "删除",
      okButtonProps: { danger: true, "data-testid": "auto-reply-delete-confirm" } as never,
      cancelText: "取消",
      onOk: () => send(`/api/admin/auto-replies/${rule.id}`, "DELETE", undefined, "已删除。"),
    });
  }

  const columns: TableColumnsType<RuleView> = [
    {
      title: "类型",
      key: "kind",
      width: 110,
      render: (_, rule) => (
        <Tag color={rule.kind === "subscribe" ? "green" : "blue"} data-testid="auto-reply-kind-label">
          {KIND[rule.kind]}
        </Tag>
      ),
    },
    {
      title: "关键词",
      key: "keyword",
      width: 180,
      render: (_, rule) =>
        rule.kind === "subscribe" ? (
          <span className="text-neutral-500">—</span>
        ) : (
          <span className="flex flex-col">
            <span data-testid="auto-reply-keyword-label" className="font-medium">
              {rule.keyword}
            </span>
            <span className="text-xs text-neutral-500" data-testid="auto-reply-match-label">
              {MATCH[rule.match]}
            </span>
          </span>
        ),
    },
    {
      title: "回复内容",
      key: "reply",
      render: (_, rule) => (
        <span className="block max-w-xl break-words whitespace-pre-wrap" data-testid="auto-reply-reply">
          {rule.reply}
        </span>
      ),
    },
    {
      title: "状态",
      key: "enabled",
      width: 80,
      render: (_, rule) => (
        <span data-testid="auto-reply-state" className={rule.enabled ? "" : "text-neutral-500"}>
          {rule.enabled ? "启用" : "停用"}
        </span>
      ),
    },
    {
      title: "更新时间",
      key: "updatedAt",
      width: 150,
      render: (_, rule) => (
        <span className="whitespace-nowrap tabular-nums">{formatShanghaiTime(new Date(rule.updatedAt), "minute")}</span>
      ),
    },
    ...(canEdit
      ? [
          {
            title: "操作",
            key: "actions",
            width: 130,
            fixed: "right" as const,
            render: (_: unknown, rule: RuleView) => (
              <span className="flex gap-1">
                <Button type="link" size="small" onClick={() => setEditing(rule)} data-testid="auto-reply-edit">
                  编辑
                </Button>
                <Button
                  type="link"
                  size="small"
                  danger
                  disabled={busy}
                  onClick={() => confirmDelete(rule)}
                  data-testid="auto-reply-delete"
                >
                  删除
                </Button>
              </span>
            ),
          },
        ]
      : []),
  ];

  return (
    <div className="flex flex-col gap-4">
      {!canEdit && (
        <p className="text-sm text-neutral-500" data-testid="auto-reply-readonly">
          只读：只有管理员可以修改自动回复。
        </p>
      )}
      <section className="overflow-hidden rounded-xl bg-white shadow-sm" aria-label="规则">
        <Table<RuleView>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rules}
          pagination={false}
          scroll={{ x: "max-content" }}
          onRow={(rule) =>
            ({
              "data-testid": "auto-reply-rule",
              "data-kind": rule.kind,
              "data-keyword": rule.keyword,
            }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{
            emptyText: (
              <p className="py-6 text-center text-sm text-neutral-500" data-testid="auto-reply-empty">
                还没有自动回复。
              </p>
            ),
          }}
        />
      </section>
      {canEdit && (
        <NewRule
          subscribeTaken={subscribeRule !== undefined}
          busy={busy}
          onCreate={(draft) => send("/api/admin/auto-replies", "POST", draft, "已添加。")}
        />
      )}
      {canEdit && editing && (
        <EditRule
          // A new dialog for each rule opened (and for the same rule once saved elsewhere).
          key={`${editing.id}-${editing.updatedAt}`}
          rule={editing}
          subscribeTaken={subscribeRule !== undefined && subscribeRule.id !== editing.id}
          busy={busy}
          onClose={() => setEditing(null)}
          onSave={async (draft) => {
            if (await send(`/api/admin/auto-replies/${editing.id}`, "PUT", draft, "已保存。")) setEditing(null);
          }}
        />
      )}
    </div>
  );
}

/** The fields of a rule, checked in the browser before anything is sent (the API checks again). */
function RuleFields({ form, subscribeTaken }: { form: FormInstance<Draft>; subscribeTaken: boolean }) {
  const kind = Form.useWatch("kind", form);
  return (
    <>
      <Form.Item<Draft> name="kind" label="类型">
        <Radio.Group
          optionType="button"
          options={[
            // One 关注后回复 per account: the option is off while another rule is it.
            { label: KIND.subscribe, value: "subscribe", disabled: subscribeTaken },
            { label: KIND.keyword, value: "keyword" },
          ]}
        />
      </Form.Item>
      {kind === "keyword" && (
        <div className="flex flex-wrap gap-x-4">
          <Form.Item<Draft>
            name="keyword"
            label="关键词"
            className="min-w-[12rem]"
            rules={[
              { required: true, whitespace: true, message: "请填写关键词。" },
              { max: KEYWORD_MAX, message: `关键词不能超过 ${KEYWORD_MAX} 个字。` },
            ]}
          >
            <Input maxLength={KEYWORD_MAX} data-testid="auto-reply-keyword" />
          </Form.Item>
          <Form.Item<Draft> name="match" label="匹配方式">
            <Radio.Group
              options={[
                { label: MATCH.exact, value: "exact" },
                { label: MATCH.contains, value: "contains" },
              ]}
            />
          </Form.Item>
        </div>
      )}
      <Form.Item<Draft>
        name="reply"
        label="回复内容"
        rules={[
          { required: true, whitespace: true, message: "请填写回复内容。" },
          {
            validator: async (_, value: string | undefined) => {
              if (bytes(value ?? "") > MAX_REPLY_BYTES)
                throw new Error(`回复内容不能超过 ${MAX_REPLY_BYTES} 字节（约 680 个汉字）。`);
            },
          },
        ]}
      >
        <Input.TextArea
          autoSize={{ minRows: 2, maxRows: 8 }}
          // Counted as WeChat counts: bytes of UTF-8, so a Chinese character is 3.
          count={{ show: true, max: MAX_REPLY_BYTES, strategy: bytes }}
          data-testid="auto-reply-text"
        />
      </Form.Item>
      <Form.Item<Draft> name="enabled" label="启用" valuePropName="checked">
        <Switch data-testid="auto-reply-enabled" />
      </Form.Item>
    </>
  );
}

function NewRule(props: { subscribeTaken: boolean; busy: boolean; onCreate: (draft: Draft) => Promise<boolean> }) {
  const [form] = Form.useForm<Draft>();
  const initial: Draft = { ...EMPTY, kind: props.subscribeTaken ? "keyword" : "subscribe" };
  return (
    <section className="rounded-xl bg-white p-5 shadow-sm" aria-label="新增规则" data-testid="auto-reply-new">
      <h2 className="mb-3 text-sm font-medium text-neutral-600">新增规则</h2>
      <Form<Draft>
        // Named, so that its fields' ids (and the labels pointing at them) differ from the dialog's.
        name="new-auto-reply"
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={async () => {
          // Added: the form is emptied for the next rule (a second press no longer meets a 409).
          if (await props.onCreate(draftOf(form.getFieldsValue(true))))
            form.setFieldsValue({ ...EMPTY, kind: "keyword" });
        }}
      >
        <RuleFields form={form} subscribeTaken={props.subscribeTaken} />
        <Button type="primary" htmlType="submit" loading={props.busy} data-testid="auto-reply-create">
          添加
        </Button>
      </Form>
    </section>
  );
}

function EditRule(props: {
  rule: RuleView;
  subscribeTaken: boolean;
  busy: boolean;
  onClose: () => void;
  onSave: (draft: Draft) => Promise<void>;
}) {
  const { modal } = App.useApp();
  const [form] = Form.useForm<Draft>();
  const saved: Draft = draftOf(props.rule);
  // Every field, watched: the dialog says when what it holds differs from the saved rule.
  const values = Form.useWatch((all: Partial<Draft>) => all, { form, preserve: true });
  const dirty = values !== undefined && !sameDraft(draftOf(values), saved);

  function close() {
    if (!dirty) return props.onClose();
    modal.confirm({
      title: "放弃未保存的修改？",
      content: "这条规则的修改尚未保存，关闭后将丢失。",
      okText: "放弃修改",
      okButtonProps: { danger: true, "data-testid": "auto-reply-discard-confirm" } as never,
      cancelText: "继续编辑",
      onOk: props.onClose,
    });
  }

  return (
    <Modal
      open
      title={props.rule.kind === "subscribe" ? "编辑关注后回复" : `编辑关键词“${props.rule.keyword}”的回复`}
      onCancel={close}
      maskClosable={false}
      footer={
        <div className="flex flex-wrap items-center justify-end gap-2">
          {dirty && (
            <span data-testid="auto-reply-dirty" className="mr-auto text-sm text-amber-700">
              有未保存的修改
            </span>
          )}
          <Button onClick={close} data-testid="auto-reply-cancel">
            取消
          </Button>
          <Button
            type="primary"
            disabled={!dirty}
            loading={props.busy}
            onClick={() => form.submit()}
            data-testid="auto-reply-save"
          >
            保存
          </Button>
        </div>
      }
    >
      <div data-testid="auto-reply-editor">
        <Form<Draft>
          name="edit-auto-reply"
          form={form}
          layout="vertical"
          initialValues={saved}
          onFinish={() => props.onSave(draftOf(form.getFieldsValue(true)))}
        >
          <RuleFields form={form} subscribeTaken={props.subscribeTaken} />
        </Form>
      </div>
    </Modal>
  );
}
