import Joi from 'joi';
import { BODY_MAX, SUBJECT_MAX } from '../../../domain/conversations';
import { matriculeProblem, normalizeMatricule } from '../../../domain/patients';
import { calendarDate, id, text } from '../../validation';

/** Shared request shapes of the conversation routes. */
export const conversationIdParams = Joi.object({
  id: id.required(),
});

export const recipient = Joi.object({
  kind: Joi.string().valid('professional', 'structure', 'account').required(),
  id: id.required(),
}).label('Recipient');

export const recipients = Joi.array().items(recipient).min(1).max(100);

export const matricule = Joi.string()
  .trim()
  .max(20)
  .custom((value: string, helpers) => {
    const problem = matriculeProblem(value);
    return problem
      ? helpers.message({ custom: `INS matricule ${problem}` })
      : normalizeMatricule(value);
  });

export const patient = Joi.object({
  ins: Joi.object({
    matricule: matricule.required(),
    oid: Joi.string()
      .pattern(/^[0-2](\.\d+)+$/)
      .max(64)
      .allow(null),
    birthName: text(100).trim().min(1).required(),
    firstName: text(100).trim().min(1).required(),
    birthDate: calendarDate.required(),
    sex: Joi.string().valid('M', 'F', 'I').required(),
  }),
  reference: text(200).trim().min(1),
})
  .xor('ins', 'reference')
  .allow(null)
  .label('Patient');

export const subject = text(SUBJECT_MAX).trim().min(1);
/** Empty only with files (the domain says so when there are none). */
export const body = text(BODY_MAX).allow('');
/** Upload ids (issue 11, docs/attachments.md), in display order. */
export const attachmentIds = Joi.array()
  .items(Joi.string().guid({ version: ['uuidv4'] }))
  .max(10)
  .unique()
  .default([]);
export const messageId = Joi.string().guid({ version: ['uuidv4', 'uuidv7'] });
export const structureId = id;
